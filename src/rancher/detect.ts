import type { ApiVersion } from "../config/server-url.js";
import type { ServerSettings } from "../config/settings.js";
import type { Deadline } from "../deadline.js";
import { EnrollError } from "../errors.js";
import type { ServerDriver, ServerLine } from "../flows/seam.js";
import type { Logger } from "../log.js";
import { CattleDriver } from "./cattle/driver.js";
import { anything } from "../schema.js";
import { ApiClient } from "./http.js";
import { serverTls } from "./v3/ca-pin.js";
import { SystemAgentDriver } from "./system-agent/driver.js";
import { V3Driver } from "./v3/driver.js";

/** A URL path that names an API version names the line; `/v1` does not (1.6's old API, or 2.x's Steve). */
const LINE_OF_PATH: Partial<Record<ApiVersion, ServerLine>> = { "v2-beta": "cattle", v3: "v3" };

/** The line the URL's path names, if any: known without asking the server. */
export function lineOfPath(apiVersion: ApiVersion | undefined): ServerLine | undefined {
  return apiVersion && LINE_OF_PATH[apiVersion];
}

interface Probe {
  line: ServerLine;
  path: string;
  /** The API root as only that line answers it. */
  answers(root: Record<string, unknown>): boolean;
}

const PROBES: readonly Probe[] = [
  { line: "cattle", path: "v2-beta", answers: (root) => root.type === "apiVersion" && root.id === "v2-beta" },
  {
    line: "v3",
    path: "v3",
    answers: (root) => root.type === "apiRoot" || (isRecord(root.links) && "clusters" in root.links),
  },
];

/**
 * The driver of the server's line, chosen once: the line recorded for this server, else the one the URL's path
 * names, else the one whose API root the server answers (never guessed from our own defaults).
 */
export async function connectDriver(
  server: ServerSettings,
  log: Logger,
  deadline: Deadline,
  recorded?: ServerLine,
): Promise<ServerDriver> {
  const pathLine = lineOfPath(server.apiVersion);
  if (server.caChecksum && (recorded ?? pathLine) === "cattle") throw checksumOnCattle(server.url);
  // With --ca-checksum the CA is read and checked first, without credentials: a mismatch sends none.
  const tls = await serverTls(server, log, deadline);
  const http = new ApiClient(server.url, server.credentials, log, deadline, tls, server.credentialsFrom);
  const line = recorded ?? pathLine ?? (await probeLine(http, server.url));
  log.debug({ line, from: recorded ? "state" : pathLine ? "url" : "server" }, `server line ${line}`);
  return createDriver(line, http, server, log);
}

function checksumOnCattle(url: string): EnrollError {
  return new EnrollError(
    "usage",
    `--ca-checksum is an option for Rancher 2.x, and ${url} is a Rancher 1.6 server`,
    "Leave out --ca-checksum; to trust a private CA on Rancher 1.6, give it with --ca-cert.",
  );
}

/**
 * Rancher 2.x tells its version to anyone: how a server that refuses the token at /v3 is still known as 2.x
 * (a token scoped to one cluster is refused everywhere but under /v3/clusters/<id>/).
 */
const OPEN_V3_PROBE: Probe = {
  line: "v3",
  path: "rancherversion",
  answers: (root) => typeof root.Version === "string",
};

async function probeLine(http: ApiClient, url: string): Promise<ServerLine> {
  let refused: EnrollError | undefined;
  for (const probe of PROBES) {
    const root = await http.probe(probe.path, anything).catch((error: unknown) => {
      if (!(error instanceof EnrollError) || error.kind !== "auth") throw error;
      refused ??= error;
      return undefined;
    });
    if (isRecord(root) && probe.answers(root)) return probe.line;
  }
  if (refused) {
    const open = await http.probe(OPEN_V3_PROBE.path, anything).catch(() => undefined);
    if (isRecord(open) && OPEN_V3_PROBE.answers(open)) return OPEN_V3_PROBE.line;
    throw refused;
  }
  throw new EnrollError(
    "server",
    `${url} does not answer as a Rancher API (asked for ${PROBES.map((p) => `/${p.path}`).join(" and ")})`,
    "Check that the URL points at a Rancher server: the address of its UI, or its API URL.",
  );
}

function createDriver(line: ServerLine, http: ApiClient, server: ServerSettings, log: Logger): ServerDriver {
  switch (line) {
    case "cattle":
      return new CattleDriver(http, log, server.projectHint);
    case "v3":
      return new V3Driver(http, log);
    case "system-agent":
      return new SystemAgentDriver(http, log);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
