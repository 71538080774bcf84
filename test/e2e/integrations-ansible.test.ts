// examples/ansible/ end to end: Debian's ansible-playbook runs the playbook against localhost (a scratch copy of this
// machine, whose Docker engine is the test bed's) and enrolls it into the simulator; a second run changes nothing.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { e2e, useE2eWorld } from "../support/e2e.js";
import {
  machineEnv,
  missingTools,
  notRoot,
  publishCli,
  repoFile,
  type Download,
} from "../support/integrations.js";
import { ScratchMachine } from "../support/scratch-machine.js";

const skip = e2e.skip || notRoot || (await missingTools("ansible-playbook", "sudo"));

const PLAYBOOK = repoFile("examples/ansible/enroll.yml");
const ENROLL_TASK = "TASK [rancher_enroll : Rancher host: present]";

interface PlaybookRun {
  code: number;
  output: string;
  recap: { ok: number; changed: number; failed: number };
  /** How the enroll task ended: "changed", "ok" or "fatal". */
  enroll: string | undefined;
}

describe("Ansible role", { skip }, () => {
  const world = useE2eWorld();
  let dir = "";
  let cli: Download;
  let machine: ScratchMachine;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "rancher-enroll-ansible-"));
    cli = await publishCli(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => machine.dispose());

  /** ansible-playbook -i localhost, -c local, with the role's variables in a file, as a vault would hold them. */
  async function playbook(overrides: Record<string, unknown> = {}): Promise<PlaybookRun> {
    const variables = join(dir, "variables.json");
    const values = {
      ansible_python_interpreter: "/usr/bin/python3",
      rancher_enroll_url: world.simulator.url,
      rancher_enroll_environment: "Default",
      rancher_enroll_access_key: world.simulator.environmentKey.accessKey,
      rancher_enroll_secret_key: world.simulator.environmentKey.secretKey,
      rancher_enroll_labels: { role: "web" },
      rancher_enroll_download_url: cli.url,
      rancher_enroll_sha256: cli.sha256,
      ...overrides,
    };
    await writeFile(variables, JSON.stringify(values), { mode: 0o600 });
    const env = machineEnv({ ANSIBLE_NOCOLOR: "1", ANSIBLE_LOCALHOST_WARNING: "false" });
    const run = await machine.run(
      "ansible-playbook",
      ["-i", "localhost,", "-c", "local", PLAYBOOK, "-e", `@${variables}`],
      env,
    );
    const output = `${run.stdout}${run.stderr}`;
    const recap = /^localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)/m.exec(output);
    assert.ok(recap, `no recap in:\n${output}`);
    const [ok, changed, failed] = recap.slice(1).map(Number) as [number, number, number];
    const enroll = new RegExp(`${escape(ENROLL_TASK)}\\s*\\*+\\n(\\w+): \\[localhost\\]`).exec(output)?.[1];
    return { code: run.code, output, recap: { ok, changed, failed }, enroll };
  }

  it("the first run enrolls (changed), the second changes nothing (changed=0)", async () => {
    machine = await ScratchMachine.create({ dockerHost: world.testbed.dockerHost });
    const first = await playbook();
    assert.equal(first.code, 0, first.output);
    assert.equal(first.enroll, "changed", first.output);
    assert.equal(first.recap.failed, 0);
    const [host] = world.simulator.hosts("1a5");
    assert.equal(host?.state, "active");
    assert.equal(host.labels.role, "web");
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

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
