import type { Target, Wanted } from "../../flows/seam.js";
import type { Logger } from "../../log.js";
import type { ApiClient } from "../http.js";
import type { V3Client } from "./client.js";
import { Rancher2Session } from "./session.js";

/**
 * What both drivers of a Rancher 2.x server have in common: the session they share (one HTTP client, the
 * server's version, the clusters found and their lines) and finding the cluster. Each line adds the rest.
 */
export abstract class Rancher2Driver {
  protected readonly client: V3Client;

  constructor(
    protected readonly http: ApiClient,
    protected readonly log: Logger,
    protected readonly session = new Rancher2Session(http, log),
  ) {
    this.client = session.client;
  }

  get serverVersion(): string | undefined {
    return this.session.serverVersion;
  }

  get clientIp(): string | undefined {
    return this.http.clientIp;
  }

  get requestCount(): number {
    return this.http.requestCount;
  }

  findTarget(wanted: Wanted | undefined): Promise<Target> {
    return this.session.findTarget(wanted);
  }
}
