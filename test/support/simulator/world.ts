import { randomBytes } from "node:crypto";
import type { Config } from "./config.js";
import { CattleFaults } from "./faults.js";
import { RequestLog } from "./request-log.js";
import { Scheduler } from "./scheduler.js";
import { Store } from "./store.js";

/** Everything one simulator instance owns; handlers receive it explicitly. */
export interface World {
  config: Config;
  store: Store;
  scheduler: Scheduler;
  faults: CattleFaults;
  log: RequestLog;
  /** api.host: base of registrationUrl and CATTLE_URL. Known once the server listens. */
  publicUrl: string;
  /** Server secret used to sign registration tokens. */
  signingKey: Buffer;
}

export function createWorld(config: Config): World {
  return {
    config,
    store: new Store(),
    scheduler: new Scheduler(),
    faults: new CattleFaults(),
    log: new RequestLog(),
    publicUrl: config.publicUrl ?? "",
    signingKey: randomBytes(32),
  };
}
