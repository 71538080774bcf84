// examples/ansible/ end to end: the collection rancher_enroll.enroll, built and installed by ansible-galaxy; Debian's
// ansible-playbook runs its playbook against localhost (a scratch copy of this machine, whose Docker engine is the
// test bed's): the role installs the release's .deb and enrolls the machine into the simulator; a second run changes
// nothing; --check --diff shows what `up` (its dry run) and `down` would change, and changes nothing. On Rancher 2.x
// (the v3 simulator behind a private CA) the role writes a 2.x profile (the cluster, the CA checksum, the node's
// roles, name, address and what to wait for; the token in the 0600 credentials file only) and enrolls a node.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { ANSIBLE_PLAIN, buildCollection, installCollection } from "../support/ansible.js";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { usePrivateCaV3World, useV3World } from "../support/e2e-v3.js";
import { machineEnv, missingTools, notRoot, type Download } from "../support/integrations.js";
import { debDownload, missingRelease } from "../support/release.js";
import { ScratchMachine } from "../support/scratch-machine.js";
import { fakeInstallerScript, stopServices, systemdMachine } from "../support/system-agent.js";

const skip =
  e2e.skip ||
  notRoot ||
  (await missingTools("ansible-playbook", "ansible-galaxy", "sudo")) ||
  (await missingRelease());

const PLAYBOOK = "rancher_enroll.enroll.enroll";
const enrollTask = (state: string) => `TASK [rancher_enroll.enroll.rancher_enroll : Rancher host: ${state}]`;

interface PlaybookRun {
  code: number;
  output: string;
  recap: { ok: number; changed: number; failed: number };
  /** How the enroll task ended: "changed", "ok", "skipping" or "fatal". */
  enroll: string | undefined;
}

/**
 * The collection, built and installed once per suite, and the release's .deb; `playbook` runs ansible-playbook -i
 * localhost, -c local on a scratch machine, with the role's variables in a file, as a vault would hold them.
 */
function useAnsible() {
  let dir = "";
  let collections = "";
  let deb: Download;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "rancher-enroll-ansible-"));
    collections = await installCollection(await buildCollection(dir), join(dir, "collections"));
    deb = await debDownload();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  return async function playbook(
    machine: ScratchMachine,
    overrides: Record<string, unknown>,
    flags: string[] = [],
  ): Promise<PlaybookRun> {
    const variables = join(dir, "variables.json");
    const values: Record<string, unknown> = {
      ansible_python_interpreter: "/usr/bin/python3",
      rancher_enroll_package_url: deb.url,
      rancher_enroll_package_sha256: deb.sha256,
      ...overrides,
    };
    await writeFile(variables, JSON.stringify(values), { mode: 0o600 });
    const env = machineEnv({ ...ANSIBLE_PLAIN, ANSIBLE_COLLECTIONS_PATH: collections });
    const run = await machine.run(
      "ansible-playbook",
      ["-i", "localhost,", "-c", "local", PLAYBOOK, "-e", `@${variables}`, ...flags],
      env,
    );
    const output = `${run.stdout}${run.stderr}`;
    const recap = /^localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)/m.exec(output);
    assert.ok(recap, `no recap in:\n${output}`);
    const [ok, changed, failed] = recap.slice(1).map(Number) as [number, number, number];
    const task = escape(enrollTask(String(values.rancher_enroll_state ?? "present")));
    const enroll = new RegExp(`${task}\\s*\\*+\\n(?:[^\\n]*\\n)*?(\\w+): \\[localhost\\]`).exec(output)?.[1];
    return { code: run.code, output, recap: { ok, changed, failed }, enroll };
  };
}

describe("Ansible collection, on Rancher 1.6", { skip }, () => {
  const world = useE2eWorld();
  const run = useAnsible();
  let machine: ScratchMachine;
  afterEach(() => machine.dispose());

  const playbook = (overrides: Record<string, unknown> = {}, flags: string[] = []) =>
    run(
      machine,
      {
        rancher_enroll_url: world.simulator.url,
        rancher_enroll_environment: "Default",
        rancher_enroll_access_key: world.simulator.environmentKey.accessKey,
        rancher_enroll_secret_key: world.simulator.environmentKey.secretKey,
        rancher_enroll_labels: { role: "web" },
        ...overrides,
      },
      flags,
    );

  it("the first run installs the .deb and enrolls (changed), the second changes nothing (changed=0), nor does --check", async () => {
    machine = await ScratchMachine.create({ dockerHost: world.testbed.dockerHost });
    const first = await playbook();
    assert.equal(first.code, 0, first.output);
    assert.equal(first.enroll, "changed", first.output);
    assert.equal(first.recap.failed, 0);
    const [host] = world.simulator.hosts("1a5");
    assert.equal(host?.state, "active");
    assert.equal(host.labels.role, "web");
    assert.equal(await machine.modeOf("/usr/bin/rancher-enroll"), 0o755, "installed by the .deb");
    assert.ok(await machine.modeOf("/var/lib/dpkg/info/rancher-enroll.list"), "dpkg knows the package");
    assert.equal(await machine.modeOf("/etc/rancher-enroll/credentials"), 0o600);
    assert.doesNotMatch(
      first.output,
      new RegExp(world.simulator.environmentKey.secretKey),
      "secret never shown",
    );

    const second = await playbook();
    assert.equal(second.code, 0, second.output);
    assert.equal(second.enroll, "ok", second.output);
    assert.deepEqual(second.recap, { ok: first.recap.ok, changed: 0, failed: 0 });
    assert.equal(world.simulator.hosts("1a5").length, 1);

    const check = await playbook({}, ["--check", "--diff"]);
    assert.equal(check.enroll, "ok", check.output);
    assert.deepEqual(check.recap, { ok: first.recap.ok, changed: 0, failed: 0 });

    const checkDown = await playbook({ rancher_enroll_state: "absent" }, ["--check", "--diff"]);
    assert.equal(checkDown.code, 0, checkDown.output);
    assert.equal(checkDown.enroll, "changed", checkDown.output);
    assert.match(checkDown.output, new RegExp(`^-\\s+"host": "${host.id} \\(active\\)",$`, "m"));
    assert.match(checkDown.output, /^\+\s+"enrolled": false$/m);
    assert.equal(host.state, "active", "still enrolled after the check");
  });

  it("--check --diff on a machine not enrolled: up's dry run says what would change, and nothing changes", async () => {
    machine = await ScratchMachine.create({ dockerHost: world.testbed.dockerHost });
    const installed = await playbook({ rancher_enroll_state: "absent" });
    assert.equal(installed.code, 0, installed.output);
    assert.equal(installed.enroll, "ok", `not enrolled: nothing to take out\n${installed.output}`);

    const check = await playbook({}, ["--check", "--diff"]);
    assert.equal(check.code, 0, check.output);
    assert.equal(check.enroll, "changed", check.output);
    assert.match(check.output, /^-\s+"enrolled": false$/m);
    assert.match(check.output, /^\+\s+"environment": "Default \(1a5\)",$/m);
    assert.match(check.output, /^\+\s+"host": "the one the agent registers, once active",$/m);
    assert.deepEqual(world.simulator.hosts("1a5"), [], "a check changes nothing on the server");
    assert.deepEqual(await world.containers(), [], "nor on the machine");
    assert.doesNotMatch(check.output, new RegExp(world.simulator.environmentKey.secretKey));
  });

  it("a failure fails the task with rancher-enroll's own message", async () => {
    machine = await ScratchMachine.create({ dockerHost: world.testbed.dockerHost });
    const run = await playbook({ rancher_enroll_secret_key: "not-the-secret" });
    assert.notEqual(run.code, 0);
    assert.equal(run.enroll, "fatal", run.output);
    assert.equal(run.recap.failed, 1);
    assert.match(run.output, /"msg": "the server rejected the API key[^"]*"/);
    assert.match(run.output, /"kind": "auth"/);
    assert.deepEqual(world.simulator.hosts("1a5"), []);
  });
});

describe("Ansible collection, on Rancher 2.x", { skip }, () => {
  const { world, checksum } = usePrivateCaV3World();
  const run = useAnsible();
  let machine: ScratchMachine;
  afterEach(() => machine.dispose());

  it("the role writes a 2.x profile and the node joins with its roles, name, address and labels, the private CA pinned by its checksum; again: no change; absent: the node is gone", async () => {
    machine = await ScratchMachine.create({ dockerHost: world.testbed.dockerHost });
    const cluster = world.cluster();
    const { bearer, secretKey } = world.simulator.adminToken;
    const variables = {
      rancher_enroll_url: world.simulator.url,
      rancher_enroll_cluster: cluster.name,
      rancher_enroll_token: bearer,
      rancher_enroll_ca_checksum: checksum,
      rancher_enroll_roles: ["etcd", "controlplane", "worker"],
      rancher_enroll_node_name: "ansible-node-1",
      rancher_enroll_address: "10.0.0.5",
      rancher_enroll_wait_for: "registered",
      rancher_enroll_labels: { role: "web" },
    };
    const first = await run(machine, variables);
    assert.equal(first.code, 0, first.output);
    assert.equal(first.enroll, "changed", first.output);
    const [node, ...others] = world.simulator.nodes(cluster.id);
    assert.ok(node, "a node joined");
    assert.deepEqual(others, []);
    assert.deepEqual(
      [node.requestedHostname, node.customConfig.address, node.etcd, node.controlPlane, node.worker],
      ["ansible-node-1", "10.0.0.5", true, true, true],
    );
    assert.deepEqual(node.customConfig.label, { role: "web" });
    assert.equal(
      withoutComments(await machine.read("/etc/rancher-enroll/config")),
      `[default]\nurl = ${world.simulator.url}\ncluster = ${cluster.name}\nca_checksum = ${checksum}\n` +
        "roles = etcd,controlplane,worker\nnode_name = ansible-node-1\naddress = 10.0.0.5\nwait_for = registered\n",
      "a 2.x profile: no environment, each 2.x setting",
    );
    assert.equal(await machine.modeOf("/etc/rancher-enroll/credentials"), 0o600);
    assert.equal(
      withoutComments(await machine.read("/etc/rancher-enroll/credentials")),
      `[default]\ntoken = ${bearer}\n`,
    );
    assert.ok(!first.output.includes(secretKey), "the token never shown");

    const second = await run(machine, variables);
    assert.equal(second.code, 0, second.output);
    assert.equal(second.enroll, "ok", second.output);
    assert.deepEqual(second.recap, { ok: first.recap.ok, changed: 0, failed: 0 });
    assert.equal(world.simulator.nodes(cluster.id).length, 1);

    const absent = await run(machine, { ...variables, rancher_enroll_state: "absent" });
    assert.equal(absent.code, 0, absent.output);
    assert.equal(absent.enroll, "changed", absent.output);
    assert.deepEqual(world.simulator.nodes(cluster.id), [], "down deleted the node, through the pinned CA");
    assert.deepEqual(await world.containers(), []);
  });
});

describe("Ansible collection, on an RKE2 cluster", { skip }, () => {
  const world = useV3World({ installerScript: fakeInstallerScript() });
  const run = useAnsible();
  let machine: ScratchMachine;
  afterEach(() => stopServices(machine).then(() => machine.dispose()));

  it("the role's 2.x variables as they are join through rancher-system-agent; again: no change; absent: the machine is gone", async () => {
    machine = await systemdMachine({ dockerHost: world.testbed.dockerHost });
    const cluster = world.cluster({ kind: "rke2" });
    const variables = {
      rancher_enroll_url: world.simulator.url,
      rancher_enroll_cluster: cluster.name,
      rancher_enroll_token: world.simulator.adminToken.bearer,
      rancher_enroll_roles: ["etcd", "controlplane", "worker"],
      rancher_enroll_timeout: 1200,
    };
    const first = await run(machine, variables);
    assert.equal(first.code, 0, first.output);
    assert.equal(first.enroll, "changed", first.output);
    const [joined, ...others] = world.simulator.machines(cluster.id);
    assert.deepEqual(others, []);
    const identity = (await machine.read("/etc/rancher/agent/cattle-id")).trim();
    assert.equal(joined?.labels["rke.cattle.io/machine-id"], identity);
    assert.match(await machine.read("/etc/rancher-enroll/config"), /^timeout = 1200$/m);
    assert.ok(!first.output.includes(world.simulator.adminToken.secretKey), "the token never shown");

    const second = await run(machine, variables);
    assert.equal(second.code, 0, second.output);
    assert.deepEqual([second.enroll, second.recap.changed], ["ok", 0], second.output);
    assert.equal(world.simulator.machines(cluster.id).length, 1);

    const absent = await run(machine, { ...variables, rancher_enroll_state: "absent" });
    assert.equal(absent.code, 0, absent.output);
    assert.equal(absent.enroll, "changed", absent.output);
    assert.deepEqual(world.simulator.machines(cluster.id), [], "down deleted the machine");
    assert.equal(await machine.modeOf("/usr/local/bin/rancher-system-agent"), undefined, "uninstalled");
  });
});

/** A file the role wrote, less its `# Ansible managed` line. */
function withoutComments(text: string): string {
  return text.replace(/^#.*\n/gm, "");
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
