import { Faults } from "../faults.js";
import { RequestLog } from "../request-log.js";
import { Scheduler } from "../scheduler.js";
import type { V3Config } from "./config.js";
import { V3Store, type ApiTokenRecord } from "./store.js";
import type { V3FaultSwitches } from "./types.js";

const V3_HOLDS = [
  "keepTokensWithoutCommand",
  "keepNodesRegistering",
  "keepClustersProvisioning",
  "keepNodesRemoving",
  "keepKubeletsNotReady",
] as const;

export class V3Faults extends Faults<(typeof V3_HOLDS)[number]> implements V3FaultSwitches {
  constructor() {
    super(V3_HOLDS);
  }

  keepTokensWithoutCommand(on: boolean): void {
    this.hold("keepTokensWithoutCommand").set(on);
  }

  keepNodesRegistering(on: boolean): void {
    this.hold("keepNodesRegistering").set(on);
  }

  keepClustersProvisioning(on: boolean): void {
    this.hold("keepClustersProvisioning").set(on);
  }

  keepNodesRemoving(on: boolean): void {
    this.hold("keepNodesRemoving").set(on);
  }

  keepKubeletsNotReady(on: boolean): void {
    this.hold("keepKubeletsNotReady").set(on);
  }
}

/** Everything one 2.x simulator instance owns; handlers receive it explicitly. */
export interface V3World {
  config: V3Config;
  store: V3Store;
  scheduler: Scheduler;
  faults: V3Faults;
  log: RequestLog;
  /** The server-url setting; known once the server listens unless configured. */
  serverUrl: string;
  adminToken: ApiTokenRecord;
  /** Nodes with a registration already scheduled, so that reconciling twice schedules once. */
  registering: Set<string>;
}

export function createV3World(config: V3Config): V3World {
  const store = new V3Store();
  return {
    config,
    store,
    scheduler: new Scheduler(),
    faults: new V3Faults(),
    log: new RequestLog(),
    serverUrl: config.serverUrl ?? "",
    adminToken: store.addApiToken(),
    registering: new Set(),
  };
}
