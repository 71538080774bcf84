// examples/terraform/ for real: Terraform (/usr/local/bin/terraform, 1.4 or later) runs `init`, `apply` and
// `destroy` on the example, as is, against a scratch copy of this machine reached over SSH (sshd on the loopback):
// apply uploads and installs the release's .deb and enrolls the machine into the simulator (Rancher 1.6, and a 2.x
// cluster with the v3 simulator behind a private CA, pinned by rancher_ca_checksum, the node with node_roles; and an
// RKE2 cluster, where the machine's systemd is the test bed's, see test/support/system-agent.ts), destroy takes it out.
// Terraform works offline here: the example needs no provider (terraform_data is built in), its CLI configuration
// allows providers from an empty folder only, and its version check is off.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import type { TestbedInfo } from "../support/testbed/testbed.js";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { usePrivateCaV3World, useV3World } from "../support/e2e-v3.js";
import { missingTools, notRoot, repoFile } from "../support/integrations.js";
import { missingRelease, releaseFile } from "../support/release.js";
import { ScratchMachine, type ScratchMachineOptions } from "../support/scratch-machine.js";
import { startSshServer } from "../support/ssh-server.js";
import { fakeInstallerScript, stopServices, systemdMachine } from "../support/system-agent.js";
import { runCommand } from "../support/testbed/command.js";

const TERRAFORM = "/usr/local/bin/terraform";
const skip =
  e2e.skip ||
  notRoot ||
  (await missingTools(TERRAFORM, "/usr/sbin/sshd", "ssh-keygen")) ||
  (await missingRelease());

/** Terraform, offline, on a copy of the example; and a scratch machine it reaches over SSH, per test. */
function useTerraform() {
  let dir = "";

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "rancher-enroll-terraform-"));
    await mkdir(join(dir, "no-providers"));
    await writeFile(
      join(dir, "terraformrc"),
      `disable_checkpoint = true\nprovider_installation {\n  filesystem_mirror {\n    path = "${join(dir, "no-providers")}"\n  }\n}\n`,
    );
    await mkdir(join(dir, "config"));
    await copyFile(repoFile("examples/terraform/main.tf"), join(dir, "config/main.tf"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const terraform = async (t: TestContext, args: string[], variables: Record<string, string> = {}) => {
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      TF_CLI_CONFIG_FILE: join(dir, "terraformrc"),
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      ...Object.fromEntries(Object.entries(variables).map(([name, value]) => [`TF_VAR_${name}`, value])),
    };
    const result = await runCommand(TERRAFORM, [`-chdir=${join(dir, "config")}`, ...args, "-no-color"], {
      env,
    });
    t.diagnostic(`$ terraform ${args.join(" ")}\n${result.stdout}${result.stderr}`);
    assert.equal(result.code, 0, `terraform ${args.join(" ")}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };

  /** `terraform init`, and the variables that reach a new scratch machine (made by `create`) with the release's .deb. */
  const prepare = async (
    t: TestContext,
    testbed: TestbedInfo,
    create: (options: ScratchMachineOptions) => Promise<ScratchMachine> = (options) =>
      ScratchMachine.create(options),
  ) => {
    const machine = await create({ dockerHost: testbed.dockerHost });
    t.after(() => stopServices(machine).then(() => machine.dispose()));
    const ssh = await startSshServer(machine);
    t.after(() => ssh.stop());
    assert.ok(
      existsSync(TERRAFORM),
      `Terraform is not installed at ${TERRAFORM} (this test runs the real one)`,
    );
    await terraform(t, ["init", "-input=false"]);
    const variables = {
      host: ssh.host,
      ssh_port: String(ssh.port),
      ssh_user: ssh.user,
      ssh_private_key_file: ssh.privateKey,
      package_file: releaseFile.deb,
    };
    return { machine, variables };
  };
  const apply = (t: TestContext, variables: Record<string, string>) =>
    terraform(t, ["apply", "-auto-approve", "-input=false"], variables);
  const destroy = (t: TestContext, variables: Record<string, string>) =>
    terraform(t, ["destroy", "-auto-approve", "-input=false"], variables);
  return { prepare, apply, destroy };
}

describe("Terraform example, with Terraform, on Rancher 1.6", { skip }, () => {
  const world = useE2eWorld();
  const terraform = useTerraform();

  it("apply installs the .deb and enrolls the machine; destroy takes it out", async (t) => {
    const { machine, variables: ssh } = await terraform.prepare(t, world.testbed);
    const variables = {
      ...ssh,
      rancher_url: world.simulator.url,
      host_labels: "role=web",
      rancher_access_key: world.simulator.environmentKey.accessKey,
      rancher_secret_key: world.simulator.environmentKey.secretKey,
    };

    const applied = await terraform.apply(t, variables);
    assert.match(applied, /Apply complete! Resources: 1 added/);
    const [host] = world.simulator.hosts("1a5");
    assert.equal(host?.state, "active");
    assert.equal(host.labels.role, "web");
    const up = JSON.parse(await machine.read("/root/rancher-enroll-up.json")) as { changed: boolean };
    assert.equal(up.changed, true);
    assert.doesNotMatch(
      applied,
      new RegExp(world.simulator.environmentKey.secretKey),
      "the key stays hidden",
    );

    const destroyed = await terraform.destroy(t, variables);
    assert.match(destroyed, /Destroy complete! Resources: 1 destroyed/);
    assert.equal(host.state, "removed");
    assert.deepEqual(await world.containers(), []);
  });
});

describe("Terraform example, with Terraform, on Rancher 2.x", { skip }, () => {
  const { world, checksum } = usePrivateCaV3World();
  const terraform = useTerraform();

  it("apply with a token, a cluster, the CA checksum and all three roles: the first node of a new cluster, through the pinned private CA; destroy deletes it", async (t) => {
    const { machine, variables: ssh } = await terraform.prepare(t, world.testbed);
    const cluster = world.cluster();
    const variables = {
      ...ssh,
      rancher_url: world.simulator.url,
      rancher_token: world.simulator.adminToken.bearer,
      rancher_cluster: cluster.name,
      rancher_ca_checksum: checksum,
      node_roles: "etcd,controlplane,worker",
      host_labels: "role=web",
    };

    const applied = await terraform.apply(t, variables);
    assert.match(applied, /Apply complete! Resources: 1 added/);
    const [node, ...others] = world.simulator.nodes(cluster.id);
    assert.ok(node, "a node joined");
    assert.deepEqual(others, []);
    assert.deepEqual([node.etcd, node.controlPlane, node.worker], [true, true, true]);
    assert.deepEqual(node.customConfig.label, { role: "web" });
    const up = JSON.parse(await machine.read("/root/rancher-enroll-up.json")) as {
      changed: boolean;
      node: { id: string; state: string };
    };
    assert.deepEqual([up.changed, up.node.id, up.node.state], [true, node.id, "active"]);
    const config = await machine.read("/etc/rancher-enroll/config");
    assert.match(config, /^cluster = /m);
    assert.match(config, new RegExp(`^ca_checksum = ${checksum}$`, "m"));
    assert.match(config, /^roles = etcd,controlplane,worker$/m);
    assert.doesNotMatch(config, /^environment/m, "no 1.6 setting in a 2.x profile");
    assert.equal(await machine.modeOf("/etc/rancher-enroll/credentials"), 0o600);
    assert.doesNotMatch(applied, new RegExp(world.simulator.adminToken.secretKey), "the token stays hidden");

    const destroyed = await terraform.destroy(t, variables);
    assert.match(destroyed, /Destroy complete! Resources: 1 destroyed/);
    assert.deepEqual(world.simulator.nodes(cluster.id), [], "down deleted the node, through the pinned CA");
    assert.deepEqual(await world.containers(), []);
  });
});

describe("Terraform example, with Terraform, on an RKE2 cluster", { skip }, () => {
  const world = useV3World({ installerScript: fakeInstallerScript() });
  const terraform = useTerraform();

  it("apply with the cluster's name and its roles joins through rancher-system-agent; destroy removes it", async (t) => {
    const { machine, variables: ssh } = await terraform.prepare(t, world.testbed, systemdMachine);
    const cluster = world.cluster({ kind: "rke2" });
    const variables = {
      ...ssh,
      rancher_url: world.simulator.url,
      rancher_token: world.simulator.adminToken.bearer,
      rancher_cluster: cluster.name,
      node_roles: "etcd,controlplane,worker",
      enroll_timeout: "1200",
    };

    const applied = await terraform.apply(t, variables);
    assert.match(applied, /Apply complete! Resources: 1 added/);
    const up = JSON.parse(await machine.read("/root/rancher-enroll-up.json")) as {
      changed: boolean;
      serverLine: string;
      node: { phase: string };
    };
    assert.deepEqual([up.changed, up.serverLine, up.node.phase], [true, "system-agent", "Running"]);
    const [joined, ...others] = world.simulator.machines(cluster.id);
    assert.deepEqual(others, []);
    const identity = (await machine.read("/etc/rancher/agent/cattle-id")).trim();
    assert.equal(joined?.labels["rke.cattle.io/machine-id"], identity);
    assert.match(await machine.read("/etc/rancher-enroll/config"), /^timeout = 1200$/m);
    assert.doesNotMatch(applied, new RegExp(world.simulator.adminToken.secretKey), "the token stays hidden");

    const destroyed = await terraform.destroy(t, variables);
    assert.match(destroyed, /Destroy complete! Resources: 1 destroyed/);
    assert.deepEqual(world.simulator.machines(cluster.id), []);
    assert.equal(await machine.modeOf("/usr/local/bin/rancher-system-agent"), undefined, "uninstalled");
  });
});
