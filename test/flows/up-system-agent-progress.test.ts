// `up` in-process on the system-agent line against the v3 simulator (the real driver, a fake agent whose install
// makes the machine request the installer would): while rke2 installs, the log follows the machine's conditions.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { pino } from "pino";
import { Deadline } from "../../src/deadline.js";
import { up } from "../../src/flows/up.js";
import { ApiClient } from "../../src/rancher/http.js";
import { V3Driver } from "../../src/rancher/v3/driver.js";
import type { V3Simulator } from "../support/simulator/v3/index.js";
import { NO_AGENT } from "../support/simulator/v3/plans.js";
import { call } from "../simulator/helpers.js";
import { startFastV3 } from "../simulator/v3-helpers.js";
import { deadline, FakeAgent, FakeServer, upSettings, world, type World } from "./fakes.js";

const MACHINE_ID = "a".repeat(63);
const PROBES = "waiting for probes: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet";

/** The agent of the system-agent line, reduced to what the server sees of its installer: the machine request. */
class MachineRequestAgent extends FakeAgent {
  constructor(private readonly sim: V3Simulator) {
    super(new FakeServer(), "system-agent");
  }

  override async install(join: { secret: string }) {
    this.record("install");
    this.state = { present: true, running: true };
    const answer = await call(this.sim, "/v3/connect/agent", {
      headers: {
        Authorization: `Bearer ${join.secret}`,
        "X-Cattle-Id": MACHINE_ID,
        "X-Cattle-Node-Name": "node-1",
        "X-Cattle-Role-Etcd": "true",
        "X-Cattle-Role-Control-Plane": "true",
        "X-Cattle-Role-Worker": "true",
      },
    });
    assert.equal(answer.status, 200);
    return { imagePulled: false, identity: MACHINE_ID };
  }
}

describe("up on the system-agent line: progress from the machine's conditions", () => {
  let sim: V3Simulator;
  let w: World;
  const messages: string[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void messages.push(JSON.parse(line).msg) });

  beforeEach(async () => {
    messages.length = 0;
    sim = await startFastV3({ installerScript: "#!/bin/sh\necho installing\n" });
    w = await world();
  });
  afterEach(async () => {
    await w.cleanup();
    await sim.close();
  });

  const logged = (text: string) =>
    new Deadline(20).poll(
      50,
      async () => messages.some((m) => m.includes(text)) || undefined,
      () => `up never logged "${text}"; it logged: ${messages.join(" | ")}`,
    );

  it("says each change of what the machine waits for once, in the planner's order", async () => {
    const agent = new MachineRequestAgent(sim);
    const keys = { token: sim.adminToken.bearer };
    const driver = new V3Driver(new ApiClient(sim.url, keys, log, new Deadline(30)), log);
    const settings = upSettings({
      server: { ...upSettings().server, url: sim.url },
      cluster: "dev-rke2",
      node: { roles: ["etcd", "controlplane", "worker"], taints: [], waitFor: "active" },
      timeoutSeconds: 30,
    });
    sim.faults.keepClustersProvisioning(true);
    sim.faults.keepNodesRegistering(true);
    const run = up({
      settings,
      deadline: deadline(30),
      connect: async () => ({ url: sim.url, driver }),
      agentFor: async () => agent,
      store: w.store,
      log,
      env: {},
    });
    await logged(NO_AGENT);
    sim.faults.keepClustersProvisioning(false);
    await logged(PROBES);
    sim.faults.keepNodesRegistering(false);
    const result = await run;
    assert.equal(result.kind, "enrolled");
    const progress = messages.filter((m) => m.startsWith("node fleet-default/custom-"));
    const conditions = progress.filter((m) => m.includes("Reconciled"));
    assert.equal(conditions.length, 2, progress.join("\n"));
    assert.match(
      conditions[0]!,
      new RegExp(`is provisioning \\(phase Provisioning; Reconciled: Unknown \\(Waiting: ${NO_AGENT}\\)\\)`),
    );
    assert.match(
      conditions[1]!,
      new RegExp(`is provisioning \\(phase Provisioning; Reconciled: Unknown \\(Waiting: ${PROBES}\\)\\)`),
    );
    assert.equal(new Set(progress).size, progress.length, `a change said twice:\n${progress.join("\n")}`);
    assert.match(progress.at(-1)!, /is running$/);
  });
});
