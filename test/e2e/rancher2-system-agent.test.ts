// RKE2/K3s custom clusters (issue 15): rancher-system-agent on a throwaway copy of this machine (a scratch machine:
// /etc, /usr, /var, /run copy-on-write), installed by the fake installer the v3 simulator serves, which makes the
// machine request a real install.sh makes. systemd is the test bed's systemctl (test/support/system-agent/systemctl);
// everything else runs as it would: our code, sh, curl, the installer's files and modes, the uninstall scripts.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterEach, describe, it } from "node:test";
import type { JoinSpec } from "../../src/flows/seam.js";
import { e2e, useV3World, type V3World } from "../support/e2e-v3.js";
import { machineEnv, notRoot } from "../support/integrations.js";
import { ScratchMachine } from "../support/scratch-machine.js";
import type { V3Cluster } from "../support/simulator/v3/index.js";
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

    it("preflight: a machine without systemd is exit 5, saying why; one with it passes", async () => {
      machine = await ScratchMachine.create();
      const without = await drive({ method: "preflight" });
      assert.equal(without.answer.error?.exitCode, 5);
      assert.match(without.answer.error!.message, /does not run systemd \(no \/run\/systemd\/system\)/);
      await machine.dispose();
      machine = await systemdMachine();
      assert.equal((await drive({ method: "preflight" })).answer, null);
    });
  },
);
