// systemd/ end to end: on a scratch copy of this machine with rancher-enroll installed and its profile written by
// `rancher-enroll configure`, the unit's ExecStart enrolls it at the first boot and changes nothing at the next; the
// unit's retry policy matches the exit codes rancher-enroll gives.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { machineEnv, missingTools, notRoot, publishCli, type Download } from "../support/integrations.js";
import { ScratchMachine } from "../support/scratch-machine.js";
import { directives, UNIT_FILE, UNIT_PATH } from "../support/systemd-unit.js";

const skip = e2e.skip || notRoot || (await missingTools("systemd-analyze"));

describe("systemd unit", { skip }, () => {
  const world = useE2eWorld();
  let dir = "";
  let cli: Download;
  let machine: ScratchMachine;
  let unit: Map<string, string[]>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "rancher-enroll-systemd-"));
    cli = await publishCli(dir);
    unit = directives(await readFile(UNIT_FILE, "utf8"));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => machine.dispose());

  /** The machine as the systemd section of docs/integrations.md leaves it: rancher-enroll, its profile, the unit. */
  beforeEach(async () => {
    machine = await ScratchMachine.create({ dockerHost: world.testbed.dockerHost });
    await machine.write(UNIT_PATH, await readFile(UNIT_FILE, "utf8"));
    const setup = await machine.sh(
      `install -m 0755 '${fileURLToPath(cli.url)}' /usr/local/bin/rancher-enroll && rancher-enroll configure --from-env`,
      machineEnv({
        RANCHER_URL: world.simulator.url,
        RANCHER_ACCESS_KEY: world.simulator.environmentKey.accessKey,
        RANCHER_SECRET_KEY: world.simulator.environmentKey.secretKey,
        RANCHER_ENVIRONMENT: "Default",
      }),
    );
    assert.equal(setup.code, 0, setup.stderr);
  });

  /** What systemd starts: ExecStart's words, with no shell and the manager's plain environment. */
  const start = () => {
    const [program, ...args] = unit.get("ExecStart")!;
    return machine.run(program!, args, machineEnv());
  };

  it("verifies with the real command installed; enrolls at the first boot, changes nothing at the next", async () => {
    const verify = await machine.run("systemd-analyze", ["verify", UNIT_PATH], machineEnv());
    assert.equal(verify.code, 0, verify.stderr);
    assert.equal(verify.stderr, "");
    assert.equal(await machine.modeOf("/etc/rancher-enroll/credentials"), 0o600);

    const first = await start();
    assert.equal(first.code, 0, first.stderr);
    assert.equal((JSON.parse(first.stdout) as { changed: boolean }).changed, true);
    assert.equal(world.simulator.hosts("1a5")[0]?.state, "active");
    const second = await start();
    assert.equal(second.code, 0, second.stderr);
    assert.equal((JSON.parse(second.stdout) as { changed: boolean }).changed, false);
  });

  it("is retried while the server is unreachable, not when the key is rejected", async () => {
    const noRetry = unit.get("RestartPreventExitStatus") ?? [];
    const configure = async (flags: string) => {
      const run = await machine.sh(`rancher-enroll configure ${flags}`, machineEnv());
      assert.equal(run.code, 0, run.stderr);
    };
    await configure("--timeout 5");
    await world.stopSimulator();
    const unreachable = await start();
    assert.ok([7, 8].includes(unreachable.code), `timeout or server error, got ${unreachable.code}`);
    assert.ok(!noRetry.includes(String(unreachable.code)), "an unreachable server is retried");

    // Deliberately wrong: configure would refuse to write it (exit 3) without --no-verify.
    await configure(`--url ${(await world.simulate()).url} --secret-key not-the-secret --no-verify`);
    const rejected = await start();
    assert.equal(rejected.code, 3, rejected.stderr);
    assert.ok(noRetry.includes("3"), "a rejected key is not retried");
  });
});
