// `up` in-process over fakes of the server driver and the node agent: the flow's logic, in milliseconds.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, it } from "node:test";
import { EnrollError } from "../../src/errors.js";
import { resultJson } from "../../src/flows/result.js";
import { up } from "../../src/flows/up.js";
import { ENROLLMENT_VERSION } from "../../src/state/enrollment.js";
import type { UpSettings } from "../../src/config/settings.js";
import type { ServerLine } from "../../src/flows/seam.js";
import {
  deadline,
  FakeAgent,
  FakeServer,
  log,
  member,
  PROD,
  upSettings,
  URL,
  world,
  type World,
} from "./fakes.js";

const SERVER_CHANGES = ["obtainJoin", "removeMember"];
const AGENT_CHANGES = ["provision", "install", "stop", "remove", "purge", "prefetch"];

describe("up over fakes", () => {
  let w: World;
  const run = (settings = upSettings(), seconds = 5) =>
    up({
      settings,
      deadline: deadline(seconds),
      connect: w.connect,
      agentFor: w.agentFor,
      store: w.store,
      log,
      env: {},
    });
  const enrolled = async () => {
    const result = await run();
    assert.equal(result.kind, "enrolled");
    return result;
  };

  beforeEach(async () => {
    w = await world();
  });
  afterEach(() => w.cleanup());

  it("a fresh machine: obtains the join, launches, confirms the new member, records it", async () => {
    const result = await enrolled();
    assert.deepEqual(w.agent.changes(AGENT_CHANGES), ["provision", "install"]);
    assert.deepEqual(w.server.changes(SERVER_CHANGES), ["obtainJoin"]);
    assert.equal(result.changed, true);
    assert.deepEqual(result.registration, { id: "1c1", created: true });
    const record = await w.store.read();
    assert.equal(record?.version, ENROLLMENT_VERSION);
    assert.equal(record?.serverLine, "cattle");
    assert.equal(record?.memberId, w.server.members[0]!.id);
    assert.ok(record!.launchedAt <= record!.confirmedAt!, "launchedAt is the launch, not the confirmation");
  });

  it("keeps the launch time of the launch when it records the confirmation", async () => {
    const launches: string[] = [];
    const write = w.store.write.bind(w.store);
    w.store.write = async (enrollment) => {
      launches.push(enrollment.launchedAt);
      await write(enrollment);
    };
    w.agent.install = (
      (install) =>
      async (...args: Parameters<typeof install>) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return install(...args);
      }
    )(w.agent.install.bind(w.agent));
    await enrolled();
    assert.equal(launches.length, 2);
    assert.equal(launches[1], launches[0]);
  });

  it("JSON: the member and the target under the line's words, and the line", async () => {
    const json = resultJson(await enrolled()) as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(json).filter((key) => ["host", "environment", "member", "target"].includes(key)),
      ["host", "environment"],
    );
    assert.equal(json.serverLine, "cattle");
    assert.equal(json.words, undefined);
  });

  it("an enrolled machine whose member is ready: a no-op that asks the server one thing", async () => {
    await enrolled();
    w.server.calls.length = 0;
    w.agent.calls.length = 0;
    const again = await enrolled();
    assert.equal(again.changed, false);
    assert.deepEqual(w.server.calls, ["getMember"]);
    assert.deepEqual(w.agent.changes(AGENT_CHANGES), []);
    assert.deepEqual(w.connections.at(-1), "cattle", "the recorded line, not detected again");
  });

  it("again with other labels or another address: exit 9 naming each difference, nothing changed", async () => {
    await run(upSettings({ labels: { role: "web" }, agentIp: "10.0.0.7" }));
    const id = w.server.members[0]!.id;
    const changes = w.agent.changes(AGENT_CHANGES).length;
    const again = upSettings({ labels: { role: "db", zone: "a" }, agentIp: "10.0.0.8" });
    await assert.rejects(run(again), (error: EnrollError) => {
      assert.equal(error.exitCode, 9);
      assert.equal(
        error.message,
        `host ${id} is enrolled already, with other settings: label role: asked db, the host has web; ` +
          "label zone: asked a, the host has none; address: asked 10.0.0.8, the host has 10.0.0.7; nothing was changed",
      );
      assert.match(error.hint ?? "", /Rancher UI.*`rancher-enroll down`, then `up` with them/);
      return true;
    });
    assert.equal(w.agent.changes(AGENT_CHANGES).length, changes, "the agent untouched");
    const same = await run(upSettings({ labels: { role: "web" }, agentIp: "10.0.0.7" }));
    assert.equal(same.changed, false, "the same settings (the server's own labels aside): already enrolled");
  });

  it("the member gone from the server: launches again", async () => {
    await enrolled();
    w.server.members = [];
    const again = await enrolled();
    assert.equal(again.changed, true);
    assert.equal(w.server.members.length, 1);
  });

  it("the agent stopped here: launches again", async () => {
    await enrolled();
    w.agent.state = { present: true, running: false };
    await enrolled();
    assert.deepEqual(w.agent.changes(["install"]), ["install", "install"]);
  });

  it("an agent that leaves once joined (2.x) and is gone while its member is ready: a no-op", async () => {
    await enrolled();
    w.agent.leavesOnceJoined = true;
    w.agent.state = { present: false, running: false };
    const again = await enrolled();
    assert.equal(again.changed, false);
    assert.deepEqual(w.agent.changes(["install"]), ["install"]);
  });

  it("options of the other server line: a usage error naming this line's words, before any change", async () => {
    const settings = upSettings({ nodeFlagsGiven: ["--role", "--node-name"] });
    await assert.rejects(run(settings), (error: EnrollError) => {
      assert.equal(error.kind, "usage");
      assert.equal(
        error.message,
        "--role, --node-name are not options for this server, which is Rancher 1.6",
      );
      assert.match(error.hint ?? "", /--environment names the environment and --agent-ip the host's address/);
      return true;
    });
    assert.deepEqual([...w.agent.changes(AGENT_CHANGES), ...w.server.changes(SERVER_CHANGES)], []);
  });

  it("--wait-for registered: confirmed once the member is registered, not yet ready", async () => {
    w.agent.registers = { ready: false, registered: true, state: "unavailable" };
    const result = await run(upSettings({ node: { roles: ["worker"], taints: [], waitFor: "registered" } }));
    assert.equal(result.kind === "enrolled" && result.member.state, "unavailable");
    w.agent.registers = { ready: false, registered: false, state: "registering" };
    await w.store.write({ ...(await w.store.read())!, memberId: undefined });
    await assert.rejects(
      run(upSettings({ node: { roles: ["worker"], taints: [], waitFor: "registered" } }), 1),
      /did not register; last state "registering"/,
    );
  });

  it("a machine enrolled elsewhere is refused before any change", async () => {
    await enrolled();
    w.agent.calls.length = 0;
    await assert.rejects(run(upSettings({ environment: PROD.name })), (error: EnrollError) => {
      assert.equal(error.kind, "usage");
      assert.match(error.message, /enrolled in environment Default \(1a5\)/);
      return true;
    });
    assert.deepEqual(w.agent.changes(AGENT_CHANGES), []);
  });

  it("a failing preflight stops everything before the server is asked anything", async () => {
    w.agent.preflightError = new EnrollError("docker", "the Docker engine does not answer");
    await assert.rejects(run(), { kind: "docker" });
    assert.deepEqual(w.connections, [], "the server was not asked anything");
    assert.equal(await w.store.read(), undefined);
  });

  it("the agent's credentials lost meanwhile: launched once more, then confirmed", async () => {
    w.agent.registers = { name: "someone-else" };
    w.agent.lost = [true];
    w.agent.install = (
      (install) =>
      async (...args: Parameters<typeof install>) => {
        const installed = await install(...args);
        w.agent.registers = {};
        return installed;
      }
    )(w.agent.install.bind(w.agent));
    await enrolled();
    assert.deepEqual(w.agent.changes(["install"]), ["install", "install"]);
  });

  it("a member that never becomes ready: a timeout naming its state", async () => {
    w.agent.registers = { ready: false, state: "activating", waiting: "agent reconnecting" };
    await assert.rejects(run(upSettings(), 1), (error: EnrollError) => {
      assert.equal(error.kind, "timeout");
      assert.match(
        error.message,
        /host 1h\d+ \(node-1\) did not become active; last state "activating" \(agent reconnecting\)/,
      );
      return true;
    });
    const record = await w.store.read();
    assert.ok(record && !record.memberId, "the launch is recorded, unconfirmed, for the next run");
  });

  it("an identity the agent knows at install is recorded at once: a run killed while waiting leaves it", async () => {
    w.agent.installs = "machine-id-1";
    w.agent.registers = { ready: false, state: "provisioning" };
    await assert.rejects(run(upSettings(), 1), { kind: "timeout" });
    const record = (await w.store.read())!;
    assert.deepEqual([record.identity, record.memberId], ["machine-id-1", undefined]);
  });

  it("an agent that keeps exiting: ends the wait at once (exit 5) with what it last said, not at --timeout", async () => {
    w.agent.registers = { ready: false, state: "registering" };
    w.agent.looping =
      "container agent keeps exiting (exit code 1, restarted 3 times); its last lines: no route";
    const started = Date.now();
    await assert.rejects(run(upSettings(), 30), (error: EnrollError) => {
      assert.equal(error.kind, "docker");
      assert.match(
        error.message,
        /^the fake agent keeps failing, so up stopped waiting \(host 1h\d+ is registering\)/,
      );
      assert.match(error.message, /exit code 1, restarted 3 times\); its last lines: no route$/);
      return true;
    });
    assert.ok(Date.now() - started < 5000, "long before --timeout");
  });

  it("a version-less state file (0.1) reads as a 1.6 enrollment", async () => {
    await enrolled();
    const confirmed = w.server.members[0]!;
    await writeFile(
      w.store.file,
      JSON.stringify({
        server: URL,
        environment: { id: "1a5", name: "Default" },
        agentImage: "agent:1",
        registrationId: "1c1",
        launchedAt: "2026-11-28T10:00:00Z",
        hostId: confirmed.id,
        agentId: "1a20",
        hostname: "node-1",
        confirmedAt: "2026-11-28T10:00:09Z",
      }),
    );
    w.server.calls.length = 0;
    const again = await enrolled();
    assert.equal(again.changed, false);
    assert.deepEqual(w.server.calls, ["getMember"]);
    assert.equal((await w.store.read())?.identity, "1a20");
  });

  describe("dry run: the same phases, nothing changed", () => {
    const dry = () => run(upSettings({ dryRun: true }));

    it("a fresh machine: plans a token creation, changes nothing", async () => {
      const plan = await dry();
      assert.equal(plan.kind, "plan");
      assert.deepEqual(plan.kind === "plan" && plan.registration, { wouldCreate: true });
      assert.deepEqual(w.server.changes(SERVER_CHANGES), []);
      assert.deepEqual(w.agent.changes(AGENT_CHANGES), []);
      assert.equal(await w.store.read(), undefined);
    });

    it("an existing token: the agent's plan, its secret masked", async () => {
      await w.server.obtainJoin();
      const plan = await dry();
      assert.ok(plan.kind === "plan");
      assert.deepEqual(plan.registration, { wouldCreate: false, id: "1c1" });
      assert.equal(plan.command, "run agent:1 ***");
      assert.ok(!JSON.stringify(resultJson(plan)).includes("SECRET-TOKEN"));
    });

    it("refuses, as up does, a machine enrolled elsewhere", async () => {
      await enrolled();
      await assert.rejects(run(upSettings({ environment: PROD.id, dryRun: true })), { kind: "usage" });
    });

    it("on an enrolled machine: says nothing would change", async () => {
      await enrolled();
      w.server.calls.length = 0;
      const plan = await dry();
      assert.ok(plan.kind === "plan");
      assert.equal(plan.member?.id, w.server.members[0]!.id);
      assert.deepEqual(w.server.calls, ["getMember"]);
    });

    it("with a member gone: plans to launch again", async () => {
      await enrolled();
      w.server.members = [member("1h999", { name: "other" })];
      const plan = await dry();
      assert.ok(plan.kind === "plan" && !plan.member);
      assert.deepEqual(plan.registration, { wouldCreate: false, id: "1c1" });
    });
  });
});

describe("up on a 2.x server whose cluster decides the line", () => {
  let w: World;
  let v3: FakeServer;
  let systemAgent: FakeServer;
  let agents: Record<string, FakeAgent>;
  const asked: (ServerLine | undefined)[] = [];
  const run = (settings: UpSettings, urlLine?: ServerLine) =>
    up({
      settings,
      deadline: deadline(),
      connect: async (recorded) => ({ url: URL, driver: recorded === "system-agent" ? systemAgent : v3 }),
      agentFor: async (line) => {
        asked.push(line);
        return agents[line ?? "cattle"]!;
      },
      ...(urlLine ? { urlLine } : {}),
      store: w.store,
      log,
      env: {},
    });

  beforeEach(async () => {
    w = await world();
    asked.length = 0;
    v3 = new FakeServer("v3");
    systemAgent = new FakeServer("system-agent");
    v3.handOver = systemAgent;
    agents = {
      cattle: new FakeAgent(v3, "cattle"),
      v3: new FakeAgent(v3, "v3"),
      "system-agent": new FakeAgent(systemAgent, "system-agent"),
    };
    agents.cattle!.preflightError = new EnrollError("docker", "there is no Docker engine");
    agents.v3!.preflightError = new EnrollError("docker", "there is no Docker engine");
  });
  afterEach(() => w.cleanup());

  it("--cluster of an RKE2 cluster: only the system agent checks the machine, once the cluster is found; the line is recorded", async () => {
    const result = await run(upSettings({ cluster: "Default" }));
    assert.equal(result.kind, "enrolled");
    assert.equal(result.serverLine, "system-agent");
    assert.deepEqual(asked, ["system-agent"], "no Docker agent was asked to check a machine without Docker");
    assert.deepEqual(agents["system-agent"]!.calls.slice(0, 2), ["preflight", "provision"]);
    assert.deepEqual(v3.calls, ["findTarget"], "the v3 driver only found the cluster");
    assert.deepEqual(systemAgent.changes(SERVER_CHANGES), ["obtainJoin"]);
    assert.equal((await w.store.read())?.serverLine, "system-agent");
  });

  it("a /v3 URL without --cluster: the same hand-over", async () => {
    const result = await run(upSettings(), "v3");
    assert.equal(result.kind === "enrolled" && result.serverLine, "system-agent");
    assert.deepEqual(asked, ["system-agent"]);
  });

  it("the recorded line connects straight to its driver: a rerun is a no-op asking one thing", async () => {
    await run(upSettings({ cluster: "Default" }));
    systemAgent.calls.length = 0;
    asked.length = 0;
    const again = await run(upSettings({ cluster: "Default" }));
    assert.equal(again.changed, false);
    assert.deepEqual(asked, ["system-agent"]);
    assert.deepEqual(systemAgent.calls, ["getMember"]);
  });

  it("up twice at once: the second, once it has the lock, goes on with the line the first recorded", async () => {
    await run(upSettings({ cluster: "Default" }));
    const record = (await w.store.read())!;
    await w.store.remove();
    asked.length = 0;
    const connected: (ServerLine | undefined)[] = [];
    // The first run records its enrollment while the second has already chosen its driver (not yet the lock).
    const second = up({
      settings: upSettings({ cluster: "Default" }),
      deadline: deadline(),
      connect: async (recorded) => {
        connected.push(recorded);
        if (!recorded) await w.store.write(record);
        return { url: URL, driver: recorded === "system-agent" ? systemAgent : v3 };
      },
      agentFor: async (line) => {
        asked.push(line);
        return agents[line ?? "cattle"]!;
      },
      store: w.store,
      log,
      env: {},
    });
    const again = await second;
    assert.equal(again.changed, false, "the machine the first run enrolled is ours: nothing to do");
    assert.deepEqual(connected, [undefined, "system-agent"]);
    assert.deepEqual(asked, ["system-agent"]);
  });

  it("an RKE1 cluster stays on v3: its agent checks the machine, and Docker missing is said before any change", async () => {
    v3.handOver = undefined;
    await assert.rejects(run(upSettings({ cluster: "Default" })), { kind: "docker" });
    assert.deepEqual(asked, ["v3"]);
    assert.deepEqual(v3.changes(SERVER_CHANGES), []);
    assert.equal(await w.store.read(), undefined);
  });

  it("options another line's agent lacks are refused once the line is known, before any change", async () => {
    const settings = upSettings({ cluster: "Default", nodeFlagsGiven: ["--agent-ip"] });
    agents["system-agent"] = Object.assign(new FakeAgent(systemAgent, "system-agent"), {
      optionFlags: ["--role"],
    });
    await assert.rejects(run(settings), /--agent-ip is not an option for this server, which is Rancher 2\.x/);
    assert.deepEqual(systemAgent.changes(SERVER_CHANGES), []);
  });
});
