// examples/terraform/ for real: Terraform (/usr/local/bin/terraform, 1.4 or later) runs `init`, `apply` and
// `destroy` on the example, as is, against a scratch copy of this machine reached over SSH (sshd on the loopback):
// apply uploads and installs the release's .deb and enrolls the machine into the simulator, destroy takes it out.
// Terraform works offline here: the example needs no provider (terraform_data is built in), its CLI configuration
// allows providers from an empty folder only, and its version check is off.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { missingTools, notRoot, repoFile } from "../support/integrations.js";
import { missingRelease, releaseFile } from "../support/release.js";
import { ScratchMachine } from "../support/scratch-machine.js";
import { startSshServer } from "../support/ssh-server.js";
import { runCommand } from "../support/testbed/command.js";

const TERRAFORM = "/usr/local/bin/terraform";
const skip =
  e2e.skip ||
  notRoot ||
  (await missingTools(TERRAFORM, "/usr/sbin/sshd", "ssh-keygen")) ||
  (await missingRelease());

describe("Terraform example, with Terraform", { skip }, () => {
  const world = useE2eWorld();
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

  it("apply installs the .deb and enrolls the machine; destroy takes it out", async (t) => {
    const machine = await ScratchMachine.create({ dockerHost: world.testbed.dockerHost });
    t.after(() => machine.dispose());
    const ssh = await startSshServer(machine);
    t.after(() => ssh.stop());
    const variables = {
      host: ssh.host,
      ssh_port: String(ssh.port),
      ssh_user: ssh.user,
      ssh_private_key_file: ssh.privateKey,
      package_file: releaseFile.deb,
      rancher_url: world.simulator.url,
      host_labels: "role=web",
      rancher_access_key: world.simulator.environmentKey.accessKey,
      rancher_secret_key: world.simulator.environmentKey.secretKey,
    };

    assert.ok(
      existsSync(TERRAFORM),
      `Terraform is not installed at ${TERRAFORM} (this test runs the real one)`,
    );
    await terraform(t, ["init", "-input=false"]);
    const applied = await terraform(t, ["apply", "-auto-approve", "-input=false"], variables);
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

    const destroyed = await terraform(t, ["destroy", "-auto-approve", "-input=false"], variables);
    assert.match(destroyed, /Destroy complete! Resources: 1 destroyed/);
    assert.equal(host.state, "removed");
    assert.deepEqual(await world.containers(), []);
  });
});
