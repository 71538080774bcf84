// examples/terraform/ end to end, without Terraform (no Debian package): its provisioners, read from the HCL with
// HashiCorp's parser, run on a scratch copy of this machine as Terraform's SSH session would run them; create enrolls
// it into the simulator through the test bed's engine, destroy takes it out.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { machineEnv, missingTools, notRoot, publishCli, type Download } from "../support/integrations.js";
import { ScratchMachine } from "../support/scratch-machine.js";
import { provision } from "../support/terraform-provision.js";

const skip = e2e.skip || notRoot || (await missingTools("sudo", "bash"));

describe("Terraform provisioners", { skip }, () => {
  const world = useE2eWorld();
  let dir = "";
  let cli: Download;
  let machine: ScratchMachine;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "rancher-enroll-terraform-"));
    cli = await publishCli(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    machine = await ScratchMachine.create({ dockerHost: world.testbed.dockerHost });
    const install = await machine.sh(
      `install -m 0755 '${fileURLToPath(cli.url)}' /usr/local/bin/rancher-enroll`,
      machineEnv(),
    );
    assert.equal(install.code, 0, install.stderr);
  });
  afterEach(() => machine.dispose());

  const variables = (overrides: Record<string, string> = {}) => ({
    rancher_url: world.simulator.url,
    rancher_environment: "Default",
    host_labels: "role=web&tier=front",
    rancher_access_key: world.simulator.environmentKey.accessKey,
    rancher_secret_key: world.simulator.environmentKey.secretKey,
    ...overrides,
  });
  const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

  it("create runs up (JSON shown and kept), destroy runs down", async () => {
    const create = await provision(machine, "create", variables());
    assert.equal(create.code, 0, `${create.stdout}\n${create.stderr}`);
    const up = json(create.stdout);
    assert.equal(up.changed, true);
    assert.deepEqual(json(await machine.read("/root/rancher-enroll-up.json")), up);
    const [host] = world.simulator.hosts("1a5");
    assert.equal(host?.state, "active");
    assert.equal(host.labels.role, "web");
    assert.equal(host.labels.tier, "front");
    assert.equal(await machine.modeOf("/etc/rancher-enroll/credentials"), 0o600);
    assert.equal(
      await machine.modeOf("/root/rancher-enroll-credentials"),
      undefined,
      "the upload is removed",
    );

    const destroy = await provision(machine, "destroy", variables());
    assert.equal(destroy.code, 0, `${destroy.stdout}\n${destroy.stderr}`);
    const down = json(destroy.stdout);
    assert.equal(down.changed, true);
    assert.deepEqual(down.removedHosts, [host.id]);
    assert.equal(host.state, "removed");
    assert.deepEqual(await world.containers(), []);
  });

  it("a failing up fails the create, with the JSON error shown", async () => {
    const create = await provision(machine, "create", variables({ rancher_secret_key: "not-the-secret" }));
    assert.equal(create.code, 3, "rancher-enroll's exit code (auth), through the pipe to tee");
    const { error } = json(create.stdout) as { error: { kind: string } };
    assert.equal(error.kind, "auth");
  });
});
