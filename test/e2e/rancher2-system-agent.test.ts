// RKE2/K3s custom clusters (issue 15): rancher-system-agent on a throwaway copy of this machine (a scratch machine:
// /etc, /usr, /var, /run copy-on-write), installed by the fake installer the v3 simulator serves, which makes the
// machine request a real install.sh makes. systemd is the test bed's systemctl (test/support/system-agent/systemctl);
// everything else runs as it would: our code, sh, curl, the installer's files and modes, the uninstall scripts.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import type { JoinSpec } from "../../src/flows/seam.js";
import { e2e, useV3World, type V3World } from "../support/e2e-v3.js";
import { TestCertificates } from "../support/certificates.js";
import { machineEnv, notRoot, publishCli, type Download } from "../support/integrations.js";
import { ScratchMachine } from "../support/scratch-machine.js";
import { caChecksum, type V3Cluster } from "../support/simulator/v3/index.js";
import { fakeInstallerScript, stopServices, systemdMachine } from "../support/system-agent.js";
import { waitFor } from "../support/testbed/wait.js";

const DRIVE = fileURLToPath(new URL("../support/system-agent/drive.ts", import.meta.url));
const MACHINE_ID = "/etc/rancher/agent/cattle-id";
const KEPT_INSTALLER = "/var/lib/rancher-enroll/system-agent-install.sh";
const UNIT = "/etc/systemd/system/rancher-system-agent.service";

type Answer = Record<string, unknown> & { error?: { kind: string; message: string; exitCode: number } };

/** The join a driver hands the agent: the cluster's registration token, its node command, the installer fetched. */
async function joinOf(world: V3World, cluster: V3Cluster): Promise<JoinSpec> {
  const { url, adminToken } = world.simulator;
  const headers = { Authorization: `Bearer ${adminToken.bearer}` };
  type Token = { id: string; token: string; nodeCommand: string };
  let token: Token | undefined;
  await waitFor(
    "the cluster's node command",
    async () => {
      const answer = await fetch(`${url}/v3/clusterregistrationtokens?clusterId=${cluster.id}`, { headers });
      token = ((await answer.json()) as { data: Token[] }).data.find((t) => t.nodeCommand);
      return token !== undefined;
    },
    { timeoutMs: 10_000 },
  );
  const installerUrl = `${url}/system-agent-install.sh`;
  const script = await (await fetch(installerUrl)).text();
  return {
    id: token!.id,
    secret: token!.token,
    command: token!.nodeCommand,
    url,
    installer: { url: installerUrl, script, sha256: createHash("sha256").update(script).digest("hex") },
  };
}

describe(
  "rancher-system-agent on a scratch machine, driven with a join built by the test",
  { skip: e2e.skip || notRoot },
  () => {
    const world = useV3World({ installerScript: fakeInstallerScript() });
    let machine: ScratchMachine;
    afterEach(async () => {
      await stopServices(machine);
      await machine.dispose();
    });

    /** One method of the agent, run on the machine as `up`/`down` run it (as root, a root shell's environment). */
    const drive = async (input: Record<string, unknown>): Promise<{ answer: Answer; log: string }> => {
      const run = await machine.run(
        process.execPath,
        ["--import", "tsx", DRIVE],
        machineEnv({ DRIVE: JSON.stringify(input) }),
      );
      assert.equal(run.code, 0, run.stderr);
      return { answer: JSON.parse(run.stdout) as Answer, log: run.stderr };
    };
    const exists = async (path: string) => (await machine.modeOf(path)) !== undefined;

    it("install: the machine request carries roles, name, address and labels; the machine id is ours; the service runs", async () => {
      machine = await systemdMachine();
      const cluster = world.cluster({ kind: "rke2" });
      const join = await joinOf(world, cluster);
      const options = {
        roles: ["etcd", "controlplane", "worker"],
        nodeName: "SA-Node-1",
        address: "10.1.2.3",
        internalAddress: "192.168.9.3",
        labels: { tier: "web" },
      };
      const { answer, log } = await drive({ method: "install", join, options });
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      const identity = answer.identity as string;
      assert.match(identity, /^[0-9a-f]{63}$/);
      assert.equal((await machine.read(MACHINE_ID)).trim(), identity);
      assert.equal(await machine.modeOf(MACHINE_ID), 0o600);

      const machines = world.simulator.machines(cluster.id);
      assert.equal(machines.length, 1);
      const { labels, annotations } = machines[0]!;
      assert.equal(labels["rke.cattle.io/machine-id"], identity);
      for (const role of ["etcd", "control-plane", "worker"])
        assert.equal(labels[`rke.cattle.io/${role}-role`], "true");
      assert.equal(labels["rke.cattle.io/node-name"], "sa-node-1");
      assert.equal(labels.tier, "web");
      assert.equal(labels["cattle.io/os"], "linux", "the server's own --label reaches it too");
      assert.equal(annotations["rke.cattle.io/address"], "10.1.2.3");
      assert.equal(annotations["rke.cattle.io/internal-address"], "192.168.9.3");

      assert.equal(await machine.read(KEPT_INSTALLER), join.installer!.script);
      assert.equal(await machine.modeOf(KEPT_INSTALLER), 0o700);
      assert.match(log, new RegExp(`sha256 ${join.installer!.sha256}`));
      assert.ok(
        !log.includes(join.secret),
        "the token is masked in every log line, the installer's included",
      );
      assert.equal(await machine.modeOf("/usr/local/bin/rancher-system-agent"), 0o755);
      assert.ok(await exists(UNIT));
      assert.deepEqual((await drive({ method: "inspect" })).answer, { present: true, running: true });
    });

    it("install again (a rerun, or after `kill -9`): the same machine id, still one machine", async () => {
      machine = await systemdMachine();
      const cluster = world.cluster({ kind: "rke2" });
      const join = await joinOf(world, cluster);
      const first = await drive({ method: "install", join });
      const second = await drive({ method: "install", join });
      assert.equal(second.answer.identity, first.answer.identity);
      assert.match(second.log, /machine id [0-9a-f]{63} \(kept\)/);
      assert.equal(world.simulator.machines(cluster.id).length, 1);
      assert.deepEqual((await drive({ method: "inspect" })).answer, { present: true, running: true });
    });

    it("stop, then remove: the uninstall scripts the installers left run, the agent's then rke2's; nothing of them stays", async () => {
      machine = await systemdMachine();
      const cluster = world.cluster({ kind: "rke2" });
      await drive({ method: "install", join: await joinOf(world, cluster) });
      await waitFor("the agent to install rke2", () => exists("/usr/local/bin/rke2-uninstall.sh"), {
        timeoutMs: 10_000,
      });
      assert.equal((await drive({ method: "stop" })).answer, null);
      assert.deepEqual((await drive({ method: "inspect" })).answer, { present: true, running: false });

      const { answer } = await drive({ method: "remove" });
      assert.deepEqual(answer, [
        "rancher-system-agent (/usr/local/bin/rancher-system-agent-uninstall.sh)",
        "rke2 (/usr/local/bin/rke2-uninstall.sh)",
        KEPT_INSTALLER,
      ]);
      for (const path of [
        UNIT,
        "/usr/local/bin/rancher-system-agent",
        MACHINE_ID,
        "/etc/rancher/rke2/config.yaml",
        KEPT_INSTALLER,
      ])
        assert.equal(await exists(path), false, `${path} removed`);
      assert.deepEqual((await drive({ method: "inspect" })).answer, { present: false, running: false });
      assert.deepEqual((await drive({ method: "remove" })).answer, [], "a second remove finds nothing");
    });

    it("purge (prepare --clean): the machine id and the agent's state go, and the next install is a new machine", async () => {
      machine = await systemdMachine();
      const cluster = world.cluster({ kind: "rke2" });
      const join = await joinOf(world, cluster);
      const first = await drive({ method: "install", join });
      await drive({ method: "stop" });
      const { answer } = await drive({ method: "purge" });
      assert.deepEqual(answer, [MACHINE_ID, "/etc/rancher/agent", "/var/lib/rancher/agent"]);
      assert.equal(await exists(MACHINE_ID), false);
      const next = await drive({ method: "install", join });
      assert.notEqual(next.answer.identity, first.answer.identity);
      assert.equal(world.simulator.machines(cluster.id).length, 2);
    });

    it("an installer that fails says so with its [ERROR] lines, exit 6; the token in no message", async () => {
      machine = await systemdMachine();
      const cluster = world.cluster({ kind: "rke2" });
      const join = await joinOf(world, cluster);
      // A checksum where the server has no CA: install.sh's own check stops it before the machine request.
      const pinned = { ...join, command: `${join.command} --ca-checksum ${"ab".repeat(32)}` };
      const { answer } = await drive({ method: "install", join: pinned });
      assert.equal(answer.error?.exitCode, 6, JSON.stringify(answer));
      assert.match(
        answer.error!.message,
        /\[ERROR\].*CATTLE_CA_CHECKSUM is set but there is no CA certificate configured/,
      );
      assert.ok(!answer.error!.message.includes(join.secret));
      assert.equal(world.simulator.machines(cluster.id).length, 0);
    });

    it("a refused token: the installer retries as the real one does, until --timeout ends it (exit 7, naming it)", async () => {
      machine = await systemdMachine();
      const cluster = world.cluster({ kind: "rke2" });
      const join = await joinOf(world, cluster);
      const refused = { ...join, command: join.command.replace(join.secret, "x".repeat(54)) };
      const { answer } = await drive({ method: "install", join: refused, timeoutSeconds: 3 });
      assert.equal(answer.error?.exitCode, 7, JSON.stringify(answer));
      assert.match(
        answer.error!.message,
        /the installer \(\/var\/lib\/rancher-enroll\/system-agent-install\.sh\) did not finish/,
      );
      assert.equal(world.simulator.machines(cluster.id).length, 0);
    });

    it("preflight: a machine without systemd, or without curl, is exit 5 saying why; one with both passes", async () => {
      machine = await ScratchMachine.create();
      const without = await drive({ method: "preflight" });
      assert.equal(without.answer.error?.exitCode, 5);
      assert.match(without.answer.error!.message, /does not run systemd \(no \/run\/systemd\/system\)/);
      await machine.dispose();
      machine = await systemdMachine();
      assert.equal((await drive({ method: "preflight" })).answer, null);
      const removed = await machine.sh("rm /usr/bin/curl", machineEnv());
      assert.equal(removed.code, 0, removed.stderr);
      const noCurl = await drive({ method: "preflight" });
      assert.equal(noCurl.answer.error?.exitCode, 5);
      assert.match(noCurl.answer.error!.message, /the installer needs curl, not found on PATH/);
    });
  },
);

/** A machine that runs the CLI as root: rancher-enroll installed in /usr/local/bin, its state in /var/lib. */
function useCliMachine(world: V3World) {
  let dir = "";
  let cli: Download;
  const state = { machine: undefined as ScratchMachine | undefined };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "rancher-enroll-system-agent-"));
    cli = await publishCli(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    state.machine = await systemdMachine();
    const installed = await state.machine.sh(
      `install -m 0755 '${fileURLToPath(cli.url)}' /usr/local/bin/rancher-enroll`,
      machineEnv(),
    );
    assert.equal(installed.code, 0, installed.stderr);
  });
  afterEach(async () => {
    await stopServices(state.machine!);
    await state.machine!.dispose();
  });
  const env = (extra: Record<string, string> = {}) =>
    machineEnv({
      RANCHER_URL: world.simulator.url,
      RANCHER_TOKEN: world.simulator.adminToken.bearer,
      ...extra,
    });
  return {
    get machine() {
      return state.machine!;
    },
    cli: async (args: string[], extra?: Record<string, string>) => {
      const run = await state.machine!.run("rancher-enroll", args, env(extra));
      return { ...run, json: () => JSON.parse(run.stdout) as Record<string, unknown> };
    },
    start: (args: string[]) => state.machine!.start("rancher-enroll", args, env()),
  };
}

const ALL_ROLES = ["--role", "etcd", "--role", "controlplane", "--role", "worker"];
const memberOf = (run: { json(): Record<string, unknown> }) => run.json().node as Record<string, unknown>;
const connectAgent = (world: V3World) =>
  world.simulator.requests.filter((r) => r.path === "/v3/connect/agent").length;

describe("up, status and down with the built CLI on an RKE2 cluster", { skip: e2e.skip || notRoot }, () => {
  const world = useV3World({ installerScript: fakeInstallerScript() });
  const host = useCliMachine(world);

  it("up: the machine joins with its roles and labels, JSON says so; a rerun changes nothing", async () => {
    const cluster = world.cluster({ kind: "rke2" });
    const args = [
      "up",
      "--cluster",
      cluster.name,
      ...ALL_ROLES,
      "--label",
      "tier=web",
      "--node-name",
      "sa-1",
    ];
    const run = await host.cli([...args, "--address", "10.9.8.7", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json().changed, true);
    assert.equal(run.json().serverLine, "system-agent");
    assert.deepEqual(run.json().cluster, { id: cluster.id, name: cluster.name });
    const member = memberOf(run);
    assert.equal(member.phase, "Running");
    assert.deepEqual(member.roles, ["etcd", "controlplane", "worker"]);
    const machines = world.simulator.machines(cluster.id);
    assert.equal(machines.length, 1);
    const identity = (await host.machine.read(MACHINE_ID)).trim();
    assert.equal(machines[0]!.labels["rke.cattle.io/machine-id"], identity);
    assert.equal(machines[0]!.labels.tier, "web");
    assert.equal(machines[0]!.labels["rke.cattle.io/node-name"], "sa-1");
    assert.equal(machines[0]!.annotations["rke.cattle.io/address"], "10.9.8.7");
    assert.ok(!(run.stdout + run.stderr).includes(world.simulator.registrationTokens(cluster.id)[0]!.token));

    const status = await host.cli(["status", "-o", "json"]);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const requests = connectAgent(world);
    const again = await host.cli([...args, "--address", "10.9.8.7", "-o", "json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json().changed, false);
    assert.equal(connectAgent(world), requests, "the installer did not run again");
    assert.equal(world.simulator.machines(cluster.id).length, 1);
  });

  it("up --dry-run: the installer's command line, the token masked; nothing downloaded, installed or made", async () => {
    const cluster = world.cluster({ kind: "rke2" });
    const run = await host.cli(["up", "--cluster", cluster.name, ...ALL_ROLES, "--dry-run", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    const command = run.json().command as string;
    assert.match(
      command,
      /CATTLE_TOKEN=\S+…\(masked\).* sh \/var\/lib\/rancher-enroll\/system-agent-install\.sh /,
    );
    assert.match(command, / --etcd --controlplane --worker /);
    assert.ok(!(run.stdout + run.stderr).includes(world.simulator.registrationTokens(cluster.id)[0]!.token));
    assert.deepEqual(world.requests("GET", /system-agent-install/), []);
    for (const path of [KEPT_INSTALLER, MACHINE_ID, UNIT])
      assert.equal(await host.machine.modeOf(path), undefined, `no ${path}`);
    assert.equal(world.simulator.machines(cluster.id).length, 0);
  });

  it("status: a stopped service is unhealthy (11), saying so; up starts it again, on the same machine", async () => {
    const cluster = world.cluster({ kind: "rke2" });
    const args = ["up", "--cluster", cluster.name, ...ALL_ROLES, "-o", "json"];
    assert.equal((await host.cli(args)).code, 0);
    const stopped = await host.machine.sh("systemctl stop rancher-system-agent", machineEnv());
    assert.equal(stopped.code, 0, stopped.stderr);
    const status = await host.cli(["status", "-o", "json"]);
    assert.equal(status.code, 11, status.stdout + status.stderr);
    assert.match(status.stdout, /the rancher-system-agent service is stopped/);
    const repaired = await host.cli(args);
    assert.equal(repaired.code, 0, repaired.stderr);
    assert.equal((await host.cli(["status"])).code, 0);
    assert.equal(world.simulator.machines(cluster.id).length, 1);
  });

  it("a cluster that cannot become ready (no etcd, no control plane): exit 7 saying which roles it lacks", async () => {
    const cluster = world.cluster({ kind: "rke2" });
    const run = await host.cli(["up", "--cluster", cluster.name, "--role", "worker", "--timeout", "20"]);
    assert.equal(run.code, 7, run.stderr);
    assert.match(run.stderr, /etcd/);
    assert.match(run.stderr, /controlplane/);
    assert.equal(world.simulator.machines(cluster.id).length, 1, "the machine is there, waiting");
  });

  it("down: the machine leaves the cluster, then the uninstall scripts run; the enrollment record goes", async () => {
    const cluster = world.cluster({ kind: "rke2" });
    const up = await host.cli(["up", "--cluster", cluster.name, ...ALL_ROLES]);
    assert.equal(up.code, 0, up.stderr);
    const down = await host.cli(["down", "--yes", "-o", "json"]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(world.simulator.machines(cluster.id).length, 0);
    assert.equal(world.simulator.nodes(cluster.id).length, 0);
    const removed = JSON.stringify(down.json());
    assert.match(removed, /rancher-system-agent-uninstall\.sh/);
    assert.match(removed, /rke2-uninstall\.sh/);
    for (const path of [
      UNIT,
      MACHINE_ID,
      "/usr/local/bin/rancher-system-agent",
      "/etc/rancher/rke2/config.yaml",
    ])
      assert.equal(await host.machine.modeOf(path), undefined, `${path} removed`);
    assert.equal(await host.machine.modeOf("/var/lib/rancher-enroll/enrollment.json"), undefined);
  });

  it("up after a kill -9 while waiting: one machine, the same machine id", async () => {
    world.simulator.faults.keepClustersProvisioning(true);
    const cluster = world.cluster({ kind: "rke2" });
    const interrupted = host.start(["up", "--cluster", cluster.name, ...ALL_ROLES]);
    await waitFor(
      "the installer to start the service",
      async () => (await host.machine.modeOf("/run/test-systemd/rancher-system-agent.pid")) !== undefined,
      { timeoutMs: 60_000 },
    );
    interrupted.child.kill("SIGKILL");
    await interrupted.done;
    world.simulator.faults.keepClustersProvisioning(false);
    const run = await host.cli(["up", "--cluster", cluster.name, ...ALL_ROLES, "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    const machines = world.simulator.machines(cluster.id);
    assert.equal(machines.length, 1);
    assert.equal(
      machines[0]!.labels["rke.cattle.io/machine-id"],
      (await host.machine.read(MACHINE_ID)).trim(),
    );
  });

  it("two up at once on one machine: one machine, one of them changed nothing", async () => {
    const cluster = world.cluster({ kind: "rke2" });
    const up = `rancher-enroll up --cluster ${cluster.name} ${ALL_ROLES.join(" ")} -o json`;
    // One shell runs both, so that they share the machine's files as two commands of one machine do.
    const both = await host.machine.sh(
      `${up} >/root/a.json 2>/root/a.log & ${up} >/root/b.json 2>/root/b.log & wait`,
      machineEnv({ RANCHER_URL: world.simulator.url, RANCHER_TOKEN: world.simulator.adminToken.bearer }),
    );
    assert.equal(both.code, 0, both.stderr);
    const runs = await Promise.all(["a", "b"].map((n) => host.machine.read(`/root/${n}.json`)));
    const changed = runs.map((text) => (JSON.parse(text) as { changed: boolean }).changed).sort();
    assert.deepEqual(changed, [false, true], runs.join("\n"));
    assert.equal(world.simulator.machines(cluster.id).length, 1);
  });

  it("prepare --clean: the agent removed and the machine id forgotten, for an image that joins as a new machine", async () => {
    const cluster = world.cluster({ kind: "rke2" });
    const up = await host.cli(["up", "--cluster", cluster.name, ...ALL_ROLES, "--wait-for", "registered"]);
    assert.equal(up.code, 0, up.stderr);
    // As an image build runs it: no server settings (nothing to pull for the system agent).
    const prepare = await host.machine.run("rancher-enroll", ["prepare", "--clean"], machineEnv());
    assert.equal(prepare.code, 0, prepare.stderr);
    for (const path of [UNIT, MACHINE_ID, "/var/lib/rancher/agent/rancher2_connection_info.json"])
      assert.equal(await host.machine.modeOf(path), undefined, `${path} removed`);
  });
});

describe("up on an RKE2 cluster behind a private CA", { skip: e2e.skip || notRoot }, () => {
  const pki = new TestCertificates();
  const authority = pki.authority("rancher private ca");
  const world = useV3World((testbed) => {
    const server = pki.server({ commonName: "rancher.test", ips: [testbed.bridgeIp] }, authority);
    return {
      tls: { key: server.key, cert: server.cert },
      cacerts: authority.cert,
      installerScript: fakeInstallerScript(),
    };
  });
  after(() => pki.remove());
  const host = useCliMachine(world);

  it("--ca-checksum pins the CA: the installer runs and checks the same checksum", async () => {
    const cluster = world.cluster({ kind: "rke2" });
    const run = await host.cli([
      "up",
      "--cluster",
      cluster.name,
      ...ALL_ROLES,
      "--ca-checksum",
      caChecksum(authority.cert),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(world.simulator.machines(cluster.id).length, 1);
  });

  it("a node command whose checksum the server's CA no longer matches: exit 8, nothing downloaded or run", async () => {
    const cluster = world.cluster({ kind: "rke2" });
    await waitFor(
      "the token's command",
      async () => world.simulator.registrationTokens(cluster.id)[0]?.commandsReady === true,
      { timeoutMs: 10_000 },
    );
    world.simulator.setCacerts(pki.authority("rotated ca").cert);
    try {
      const run = await host.cli([
        "up",
        "--cluster",
        cluster.name,
        ...ALL_ROLES,
        "--ca-cert",
        authority.certFile,
      ]);
      assert.equal(run.code, 8, run.stderr);
      assert.deepEqual(world.requests("GET", /system-agent-install/), [], "the installer not downloaded");
      for (const path of [KEPT_INSTALLER, MACHINE_ID, UNIT])
        assert.equal(await host.machine.modeOf(path), undefined, `no ${path}`);
      assert.equal(world.simulator.machines(cluster.id).length, 0);
    } finally {
      world.simulator.setCacerts(authority.cert);
    }
  });
});

describe("up on Rancher 2.12 (no RKE1 left)", { skip: e2e.skip || notRoot }, () => {
  const world = useV3World({ version: "v2.12.0", installerScript: fakeInstallerScript() });
  const host = useCliMachine(world);

  it("an RKE2 cluster joins through the system agent", async () => {
    const cluster = world.cluster({ kind: "rke2" });
    const run = await host.cli(["up", "--cluster", cluster.name, ...ALL_ROLES, "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json().serverLine, "system-agent");
    assert.equal(world.simulator.machines(cluster.id).length, 1);
  });
});
