// The system-agent line (Rancher 2.6+, RKE2/K3s custom clusters) against the v3 simulator: the line chosen from
// the cluster, the registration token and the installer it names (downloaded here, its checksum, on the server
// named only), the CA check, and the members: CAPI machines joined with their v3 nodes, found by machine id.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, afterEach, beforeEach, describe, it } from "node:test";
import { pino } from "pino";
import { Deadline } from "../../src/deadline.js";
import { EnrollError } from "../../src/errors.js";
import type { Member, ServerDriver, Target } from "../../src/flows/seam.js";
import { ApiClient } from "../../src/rancher/http.js";
import { SystemAgentDriver } from "../../src/rancher/system-agent/driver.js";
import { systemAgentJoin } from "../../src/rancher/system-agent/installer.js";
import type { TlsSettings } from "../../src/rancher/transport.js";
import { caChecksum } from "../../src/rancher/v3/ca-checksum.js";
import { serverTls } from "../../src/rancher/v3/ca-pin.js";
import { V3Driver } from "../../src/rancher/v3/driver.js";
import { TestCertificates, type Certificate } from "../support/certificates.js";
import type { V3Simulator, V3SimulatorOptions } from "../support/simulator/v3/index.js";
import { NO_AGENT } from "../support/simulator/v3/plans.js";
import { call } from "../simulator/helpers.js";
import { startFastV3 } from "../simulator/v3-helpers.js";

const log = pino({ level: "silent" });
const INSTALLER = "#!/bin/sh\n# the test's installer\necho installing\n";
const CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----";
const ALL_ROLES = { etcd: true, controlPlane: true, worker: true };

function v3DriverOf(sim: V3Simulator, seconds = 20): V3Driver {
  const keys = { token: sim.adminToken.bearer };
  return new V3Driver(new ApiClient(sim.url, keys, log, new Deadline(seconds)), log);
}

/** The driver `up` ends with for the cluster: found through the `v3` driver, then handed over. */
async function driverFor(sim: V3Simulator, name: string): Promise<{ driver: ServerDriver; target: Target }> {
  const first = v3DriverOf(sim);
  const target = await first.findTarget({ nameOrId: name, word: "cluster" });
  return { driver: first.forTarget(target), target };
}

const failsWith = (kind: EnrollError["kind"], message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof EnrollError, String(error));
  assert.equal(error.kind, kind, error.message);
  assert.match(error.message, message);
  return true;
};

/** What the installer does at the server: the machine request, with the machine id and the node's headers. */
function machineRequest(
  sim: V3Simulator,
  token: string,
  machineId: string,
  node: { name: string; roles?: Partial<typeof ALL_ROLES>; address?: string; labels?: string } = {
    name: "m1",
  },
) {
  const roles = node.roles ?? { worker: true };
  return call(sim, "/v3/connect/agent", {
    headers: {
      Authorization: `Bearer ${token}`,
      "X-Cattle-Id": machineId,
      "X-Cattle-Node-Name": node.name,
      ...(roles.etcd ? { "X-Cattle-Role-Etcd": "true" } : {}),
      ...(roles.controlPlane ? { "X-Cattle-Role-Control-Plane": "true" } : {}),
      ...(roles.worker ? { "X-Cattle-Role-Worker": "true" } : {}),
      ...(node.address ? { "X-Cattle-Address": node.address } : {}),
      ...(node.labels ? { "X-Cattle-Labels": node.labels } : {}),
    },
  });
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, seconds = 10): Promise<T> {
  return new Deadline(seconds).poll(100, probe, () => what);
}

describe("system-agent line: chosen from the cluster", () => {
  let sim: V3Simulator;
  afterEach(() => sim.close());

  it("an RKE2 cluster hands over to the system-agent driver; an RKE1 cluster stays on v3", async () => {
    sim = await startFastV3();
    const rke2 = await driverFor(sim, "dev-rke2");
    assert.ok(rke2.driver instanceof SystemAgentDriver);
    assert.equal(rke2.driver.line, "system-agent");
    assert.equal(rke2.driver.words.member, "node");
    assert.deepEqual(rke2.target, { id: sim.cluster("dev-rke2").id, name: "dev-rke2" });
    const rke1 = await driverFor(sim, "dev-rke1");
    assert.equal(rke1.driver.line, "v3");
    // Recorded as system-agent and then naming an RKE1 cluster: the hand-over works the other way too.
    const back = new SystemAgentDriver(
      new ApiClient(sim.url, { token: sim.adminToken.bearer }, log, new Deadline(10)),
      log,
    );
    const target = await back.findTarget({ nameOrId: "dev-rke1", word: "cluster" });
    assert.equal(back.forTarget(target).line, "v3");
  });

  it("a 2.12 server: an RKE2 cluster joins through the system agent, an RKE1 name says RKE1 is gone (exit 8)", async () => {
    sim = await startFastV3({ version: "v2.12.0" });
    const { driver } = await driverFor(sim, "dev-rke2");
    assert.equal(driver.line, "system-agent");
    assert.equal(driver.serverVersion, "v2.12.0");
    await assert.rejects(
      v3DriverOf(sim).findTarget({ nameOrId: "dev-rke1", word: "cluster" }),
      failsWith("server", /Rancher v2\.12\.0, which has no RKE1 clusters/),
    );
  });
});

describe("system-agent line: the node command's hosts", () => {
  it("a command whose --server is another host: exit 8, the token goes nowhere", () => {
    const join = systemAgentJoin("https://rancher.example");
    const command = (server: string) =>
      ` curl -fL https://rancher.example/system-agent-install.sh | sudo  sh -s - --server ${server} --label 'cattle.io/os=linux' --token SECRET`;
    const token = { id: "c-m-1:default-token", token: "SECRET" };
    const cluster = { id: "c-m-1", name: "dev" };
    assert.equal(
      join({ ...token, nodeCommand: command("https://rancher.example") }, cluster).url,
      "https://rancher.example",
    );
    assert.throws(
      () => join({ ...token, nodeCommand: command("https://evil.example") }, cluster),
      failsWith("server", /registers the machine with https:\/\/evil\.example, not the server named/),
    );
  });
});

describe("system-agent line: the join", () => {
  let sim: V3Simulator;
  let driver: ServerDriver;
  let target: Target;
  const start = async (options: V3SimulatorOptions = {}) => {
    sim = await startFastV3({ installerScript: INSTALLER, cacerts: CA, ...options });
    ({ driver, target } = await driverFor(sim, "dev-rke2"));
  };
  afterEach(() => sim.close());
  const downloads = () => sim.requests.filter((r) => r.path === "/system-agent-install.sh");

  it("reuses default-token, downloads the installer it names, keeps its checksum; the token is not in its args", async () => {
    await start();
    const { join, created } = await driver.obtainJoin(target, new Deadline(10));
    const token = sim.registrationTokens(target.id).find((t) => t.name === "default-token")!;
    assert.deepEqual([join.id, join.secret, join.url, created], [token.id, token.token, sim.url, false]);
    assert.equal(join.image, undefined);
    assert.match(join.command, /curl -fL \S+\/system-agent-install\.sh \| sudo +sh -s - /);
    const installer = join.installer!;
    assert.equal(installer.url, `${sim.url}/system-agent-install.sh`);
    assert.equal(installer.script, INSTALLER);
    assert.equal(installer.sha256, createHash("sha256").update(INSTALLER).digest("hex"));
    assert.match(join.caChecksum ?? "", /^[0-9a-f]{64}$/);
    assert.equal(downloads().length, 1);
    // Downloaded without our credentials: the installer is open to anyone.
    assert.equal(downloads()[0]!.accessKey, undefined);
    const again = await driver.obtainJoin(target, new Deadline(10));
    assert.deepEqual([again.join.id, again.created], [join.id, false]);
    assert.equal(sim.registrationTokens(target.id).length, 1);
  });

  it("a command that sets the cluster's agent environment is read as the shell would", async () => {
    await start();
    const proxied = sim.addCluster({
      name: "proxied",
      kind: "rke2",
      agentEnvVars: [{ name: "HTTPS_PROXY", value: "http://proxy.internal:3128" }],
    });
    const found = await driverFor(sim, proxied.name);
    const { join } = await found.driver.obtainJoin(found.target, new Deadline(10));
    assert.match(join.command, /^HTTPS_PROXY="http:\/\/proxy\.internal:3128" curl -fL /);
    assert.equal(join.installer?.script, INSTALLER);
  });

  it("creates default-token once when the cluster has none, and waits for its command", async () => {
    await start();
    const fresh = sim.addCluster({ name: "fresh", kind: "rke2", defaultToken: false });
    const found = await driverFor(sim, fresh.name);
    const { join, created } = await found.driver.obtainJoin(found.target, new Deadline(10));
    assert.deepEqual([join.id, created], [`${fresh.id}:default-token`, true]);
    assert.ok(join.installer);
  });

  it("an installer on another host than the server named: exit 8, nothing downloaded", async () => {
    await start({ serverUrl: "https://rancher.elsewhere.example" });
    await assert.rejects(
      driver.obtainJoin(target, new Deadline(10)),
      failsWith(
        "server",
        /downloads the installer from https:\/\/rancher\.elsewhere\.example, not the server named/,
      ),
    );
    assert.equal(downloads().length, 0);
  });

  it("a server CA that no longer matches the command's --ca-checksum: exit 8 before the download", async () => {
    await start();
    sim.setCacerts(CA.replace("fake", "rotated"));
    await assert.rejects(
      driver.obtainJoin(target, new Deadline(10)),
      failsWith("server", /but the node command's --ca-checksum is [0-9a-f]{64}/),
    );
    assert.equal(downloads().length, 0);
  });

  it("something other than a script at the installer's URL: exit 8", async () => {
    await start({ installerScript: "<html>login</html>" });
    await assert.rejects(
      driver.obtainJoin(target, new Deadline(10)),
      failsWith("server", /answered no shell script/),
    );
  });

  it("peek (dry run) creates nothing and downloads nothing", async () => {
    await start();
    const fresh = sim.addCluster({ name: "fresh", kind: "rke2", defaultToken: false });
    const found = await driverFor(sim, fresh.name);
    assert.deepEqual(await found.driver.peekJoin(found.target), {});
    const peek = await driver.peekJoin(target);
    assert.equal(peek.join?.installer, undefined);
    assert.match(peek.join?.command ?? "", /system-agent-install\.sh/);
    assert.equal(await driver.agentImage(target), null);
    assert.deepEqual(
      sim.requests.filter((r) => r.method !== "GET").map((r) => r.path),
      [],
    );
    assert.equal(downloads().length, 0);
  });
});

describe("system-agent line: machines", () => {
  let sim: V3Simulator;
  let driver: ServerDriver;
  let target: Target;
  let token: string;
  beforeEach(async () => {
    sim = await startFastV3({ installerScript: INSTALLER });
    ({ driver, target } = await driverFor(sim, "dev-rke2"));
    token = (await driver.obtainJoin(target, new Deadline(10))).join.secret;
  });
  afterEach(() => sim.close());

  const evidence = (knownIdentity?: string) => ({
    names: ["m1"],
    before: new Map<string, Member>(),
    ...(knownIdentity ? { knownIdentity } : {}),
  });

  it("a machine is ours by its machine id, never by its name; registered at once, not ready", async () => {
    await machineRequest(sim, token, "id-other", { name: "m1" });
    await machineRequest(sim, token, "id-ours", { name: "m1", address: "10.0.0.11", labels: "zone=a" });
    const members = await driver.listMembers(target);
    assert.equal(members.length, 2);
    assert.equal(driver.identify(members, evidence()), undefined, "a name alone never decides");
    const match = driver.identify(members, evidence("id-ours"))!;
    assert.ok(match);
    const ours = match.member;
    assert.deepEqual(
      [ours.identity, ours.name, ours.address, ours.registered, ours.ready, ours.labels?.zone],
      ["id-ours", "m1", "10.0.0.11", true, false, "a"],
    );
    assert.match(ours.id, /^fleet-default\/custom-[0-9a-f]{12}$/);
    assert.match(ours.waiting ?? "", /^phase (Pending|Provisioning)/);
    assert.deepEqual(ours.view.roles, ["worker"]);
  });

  it("a lone worker waits, saying which roles the cluster lacks; with etcd and control plane it runs with its node", async () => {
    await machineRequest(sim, token, "worker-id", { name: "w1" });
    const worker = await until(async () => {
      const found = driver.identify(await driver.listMembers(target), evidence("worker-id"))?.member;
      return found?.state === "provisioning" ? found : undefined;
    }, "the worker never provisioning");
    const why = await driver.whyWaiting(target, worker, [worker]);
    assert.match(why ?? "", /has no etcd, no controlplane machine yet/);
    assert.match(why ?? "", /waiting for at least one control plane, etcd, and worker node/);
    await machineRequest(sim, token, "server-id", { name: "s1", roles: { etcd: true, controlPlane: true } });
    const ready = await until(async () => {
      const member = await driver.getMember(target, worker.id);
      return member?.ready ? member : undefined;
    }, "the worker never ready");
    assert.deepEqual([ready.state, ready.waiting, ready.view.nodeName], ["running", undefined, "w1"]);
    assert.match(String(ready.view.node), new RegExp(`^${target.id}:machine-`));
    assert.equal(ready.view.nodeState, "active");
    assert.equal(await driver.whyWaiting(target, ready, [ready]), undefined);
  });

  it("while rke2 installs, each machine waits on the planner's Reconciled messages, in order", async () => {
    const waitingOf = async (machineId: string) =>
      driver.identify(await driver.listMembers(target), evidence(machineId))?.member.waiting;
    const reconciled = (message: string) => `Reconciled: Unknown (Waiting: ${message})`;
    const both = (server: string, worker: string) =>
      until(async () => {
        const now = [await waitingOf("server-id"), await waitingOf("worker-id")];
        return now[0]?.endsWith(server) && now[1]?.endsWith(worker) ? now : undefined;
      }, `never ${server} / ${worker}`);
    sim.faults.keepClustersProvisioning(true);
    sim.faults.keepNodesRegistering(true);
    await machineRequest(sim, token, "server-id", { name: "s1", roles: { etcd: true, controlPlane: true } });
    await machineRequest(sim, token, "worker-id", { name: "w1" });
    // The cluster provisions: the init node has its plan, the worker waits for the tier before it.
    assert.deepEqual(
      await both(reconciled(NO_AGENT), reconciled("waiting for control plane to be available")),
      [
        `phase Provisioning; ${reconciled(NO_AGENT)}`,
        `phase Provisioning; ${reconciled("waiting for control plane to be available")}`,
      ],
    );
    // The cluster is up: the init node's plan is applied and its probes run; the worker gets its plan.
    sim.faults.keepClustersProvisioning(false);
    const probes =
      "waiting for probes: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet";
    assert.deepEqual(await both(reconciled(probes), reconciled(NO_AGENT)), [
      `phase Provisioning; ${reconciled(probes)}`,
      `phase Provisioning; ${reconciled(NO_AGENT)}`,
    ]);
    // The nodes register: the plans are in sync (Reconciled True), nothing is left to wait for.
    sim.faults.keepNodesRegistering(false);
    const ready = await until(async () => {
      const members = await driver.listMembers(target);
      return members.length === 2 && members.every((m) => m.ready) ? members : undefined;
    }, "never ready");
    assert.deepEqual(
      ready.map((m) => [m.waiting, m.view.conditions]),
      [
        [undefined, [{ type: "Reconciled", status: "True" }]],
        [undefined, [{ type: "Reconciled", status: "True" }]],
      ],
    );
  });

  it("a machine joining a running cluster waits for its agent to apply the initial plan, then runs", async () => {
    await machineRequest(sim, token, "first-id", { name: "a1", roles: ALL_ROLES });
    await until(async () => {
      const [first] = await driver.listMembers(target);
      return first?.ready ? first : undefined;
    }, "the first machine never ready");
    sim.faults.keepNodesRegistering(true);
    await machineRequest(sim, token, "joiner-id", { name: "j1" });
    const joining = await until(async () => {
      const found = driver.identify(await driver.listMembers(target), evidence("joiner-id"))?.member;
      return found?.state === "provisioning" && found.waiting?.includes("Reconciled") ? found : undefined;
    }, "the joiner never got its plan");
    assert.equal(joining.waiting, `phase Provisioning; Reconciled: Unknown (Waiting: ${NO_AGENT})`);
    sim.faults.keepNodesRegistering(false);
    const joined = await until(async () => {
      const member = await driver.getMember(target, joining.id);
      return member?.ready ? member : undefined;
    }, "the joiner never ready");
    assert.equal(joined.waiting, undefined);
  });

  it("lists every page of machines (Steve's `continue` chunks)", async () => {
    const ids = Array.from({ length: 1003 }, (_, i) => `bulk-${i}`);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id) => machineRequest(sim, token, id, { name: id })));
    }
    sim.clearRequests();
    const members = await driver.listMembers(target);
    assert.equal(members.length, 1003);
    assert.equal(new Set(members.map((m) => m.identity)).size, 1003);
    const pages = sim.requests.filter((r) => r.path.startsWith("/v1/cluster.x-k8s.io.machines"));
    assert.deepEqual(
      pages.map((r) => [r.query.limit, r.query.continue !== undefined]),
      [
        ["1000", false],
        ["1000", true],
      ],
    );
  });

  it("removal deletes the machine and waits until it and its node are gone", async () => {
    await machineRequest(sim, token, "all-id", { name: "a1", roles: ALL_ROLES });
    const member = await until(async () => {
      const [only] = await driver.listMembers(target);
      return only?.ready ? only : undefined;
    }, "never ready");
    await driver.removeMember(target, member.id, new Deadline(10));
    assert.equal(await driver.getMember(target, member.id), undefined);
    assert.deepEqual([sim.machines(target.id).length, sim.nodes(target.id).length], [0, 0]);
    await driver.removeMember(target, member.id, new Deadline(10));
  });

  it("a machine that stays Deleting ends at the deadline, naming its phase", async () => {
    await machineRequest(sim, token, "stuck-id", { name: "s1" });
    const [member] = await driver.listMembers(target);
    sim.faults.keepNodesRemoving(true);
    await assert.rejects(
      driver.removeMember(target, member!.id, new Deadline(1)),
      failsWith("timeout", /machine fleet-default\/custom-\w+ is still on the server \(phase Deleting/),
    );
  });

  it("the recorded line connects straight to this driver: status reads the machine by its id", async () => {
    await machineRequest(sim, token, "rec-id", { name: "r1" });
    const [member] = await driver.listMembers(target);
    const direct = new SystemAgentDriver(
      new ApiClient(sim.url, { token: sim.adminToken.bearer }, log, new Deadline(10)),
      log,
    );
    const read = await direct.getMember(target, member!.id);
    assert.equal(read?.identity, "rec-id");
    assert.equal(await direct.getMember(target, "fleet-default/custom-000000000000"), undefined);
  });
});

describe("system-agent line: the installer over the run's verified TLS", () => {
  const pki = new TestCertificates();
  let sim: V3Simulator;
  let authority: Certificate;
  beforeEach(async () => {
    authority = pki.authority("private ca");
    const server = pki.server({ commonName: "rancher.test", ips: ["127.0.0.1"] }, authority);
    sim = await startFastV3({
      tls: { key: server.key, cert: server.cert },
      cacerts: authority.cert.trimEnd(),
      installerScript: INSTALLER,
    });
  });
  afterEach(() => sim.close());
  after(() => pki.remove());

  const driverWith = (tls: TlsSettings) =>
    new SystemAgentDriver(
      new ApiClient(sim.url, { token: sim.adminToken.bearer }, log, new Deadline(10), tls),
      log,
    );

  it("with the CA pinned by --ca-checksum, the installer comes over HTTPS from the server named", async () => {
    const deadline = new Deadline(10);
    const tls = await serverTls(
      { url: sim.url, insecure: false, caChecksum: caChecksum(authority.cert) },
      log,
      deadline,
    );
    const driver = driverWith(tls);
    const target = await driver.findTarget({ nameOrId: "dev-rke2", word: "cluster" });
    const { join } = await driver.obtainJoin(target, deadline);
    assert.match(join.installer!.url, /^https:\/\/127\.0\.0\.1:\d+\/system-agent-install\.sh$/);
    assert.equal(join.installer!.script, INSTALLER);
    assert.equal(join.caChecksum, caChecksum(authority.cert));
  });

  it("a server whose certificate the run does not trust: refused (exit 8) before any download", async () => {
    await assert.rejects(
      driverWith({}).findTarget({ nameOrId: "dev-rke2", word: "cluster" }),
      (error: EnrollError) => error.kind === "server" && /certificate/i.test(error.message),
    );
    assert.equal(sim.requests.filter((r) => r.path === "/system-agent-install.sh").length, 0);
  });
});
