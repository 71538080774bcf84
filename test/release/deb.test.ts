// The .deb on a scratch copy of this machine, as an operator uses it: `dpkg -i`, enroll with the installed
// /usr/bin/rancher-enroll into the simulator, `dpkg -i` of a newer build, then `apt-get remove` and `apt-get purge`:
// neither takes the machine out of Rancher nor loses the enrollment record, and both say what stays enrolled.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { buildDeb } from "../../scripts/release/deb.js";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { machineEnv, missingTools, notRoot } from "../support/integrations.js";
import { missingRelease, releaseFile, VERSION } from "../support/release.js";
import { ScratchMachine } from "../support/scratch-machine.js";

const skip = e2e.skip || notRoot || (await missingTools("dpkg", "apt-get")) || (await missingRelease());
const WANTS = "/etc/systemd/system/multi-user.target.wants/rancher-enroll.service";

describe(".deb package", { skip }, () => {
  const world = useE2eWorld();
  let dir = "";

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "rancher-enroll-deb-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("installs, enrolls, upgrades, and removes and purges without un-enrolling", async (t: TestContext) => {
    const machine = await ScratchMachine.create({ dockerHost: world.testbed.dockerHost });
    t.after(() => machine.dispose());
    const sh = async (script: string, env: Record<string, string> = {}) => {
      const result = await machine.sh(script, machineEnv({ DEBIAN_FRONTEND: "noninteractive", ...env }));
      t.diagnostic(`# ${script}\n${result.stdout}${result.stderr}`);
      assert.equal(result.code, 0, `${script}: ${result.stdout}\n${result.stderr}`);
      return `${result.stdout}${result.stderr}`;
    };
    const exists = async (path: string) => (await machine.sh(`test -e ${path}`, machineEnv())).code === 0;

    const installed = await sh(`dpkg -i '${releaseFile.deb}'`);
    assert.match(installed, /to enroll this machine: `rancher-enroll configure`/);
    assert.match(
      await sh("rancher-enroll --version"),
      new RegExp(`^${VERSION.replaceAll(".", "\\.")} \\(commit `),
    );
    assert.equal(await sh("command -v rancher-enroll"), "/usr/bin/rancher-enroll\n");
    assert.match(
      await sh("systemctl cat rancher-enroll.service || cat /lib/systemd/system/rancher-enroll.service"),
      /^ExecStart=\/usr\/bin\/rancher-enroll up /m,
    );
    assert.match(
      await sh("man -w rancher-enroll || ls /usr/share/man/man1/rancher-enroll.1.gz"),
      /rancher-enroll\.1\.gz/,
    );

    await sh("rancher-enroll configure --from-env", {
      RANCHER_URL: world.simulator.url,
      RANCHER_ACCESS_KEY: world.simulator.environmentKey.accessKey,
      RANCHER_SECRET_KEY: world.simulator.environmentKey.secretKey,
      RANCHER_ENVIRONMENT: "Default",
    });
    const enroll = await machine.sh("rancher-enroll up --output json", machineEnv());
    t.diagnostic(`# rancher-enroll up --output json\n${enroll.stdout}`);
    const up = JSON.parse(enroll.stdout) as { changed: boolean };
    assert.equal(up.changed, true);
    const [host] = world.simulator.hosts("1a5");
    assert.equal(host?.state, "active");
    await sh(`ln -s /lib/systemd/system/rancher-enroll.service ${WANTS}`); // what `systemctl enable` leaves

    const newer = await buildDeb({
      executable: releaseFile.executable,
      manPage: await manPageOf(machine),
      version: `${VERSION}+1`,
      commit: "upgrade-test",
      outDir: dir,
      compression: "gzip",
    });
    const upgraded = await sh(`dpkg -i '${newer}'`);
    assert.doesNotMatch(upgraded, /to enroll this machine/, "the first-install hint only on a first install");
    assert.equal(await sh("dpkg-query -W -f '${Version}' rancher-enroll"), `${VERSION}+1`);
    assert.ok(await exists(WANTS), "an upgrade keeps the unit enabled");
    const status = await machine.sh("rancher-enroll status --output json", machineEnv());
    assert.equal(status.code, 0, status.stderr);

    const removed = await sh("apt-get remove -y rancher-enroll");
    assert.match(removed, new RegExp(`still enrolled in Rancher: host ${host.id} on ${world.simulator.url}`));
    assert.ok(!(await exists("/usr/bin/rancher-enroll")));
    assert.ok(!(await exists(WANTS)), "the unit is no longer enabled");
    for (const kept of ["/etc/rancher-enroll/credentials", "/var/lib/rancher-enroll/enrollment.json"])
      assert.ok(await exists(kept), `remove keeps ${kept}`);

    const purged = await sh("apt-get purge -y rancher-enroll");
    assert.match(purged, /removed \/etc\/rancher-enroll \(the profile and its API key\)/);
    assert.match(purged, new RegExp(`still enrolled in Rancher: host ${host.id} on ${world.simulator.url}`));
    assert.ok(!(await exists("/etc/rancher-enroll")));
    assert.ok(await exists("/var/lib/rancher-enroll/enrollment.json"), "purge keeps the enrollment record");
    assert.equal((await machine.sh("dpkg -s rancher-enroll", machineEnv())).code, 1);

    assert.equal(host.state, "active", "nothing took the host out of Rancher");
    assert.equal((await world.containers()).length > 0, true, "the agent still runs");
  });
});

/** The installed man page, uncompressed: what a newer build of the same executable ships. */
async function manPageOf(machine: ScratchMachine): Promise<string> {
  const file = join(machine.dir, "rancher-enroll.1");
  const result = await machine.sh(
    `gzip -dc /usr/share/man/man1/rancher-enroll.1.gz > '${file}'`,
    machineEnv(),
  );
  assert.equal(result.code, 0, result.stderr);
  return file;
}
