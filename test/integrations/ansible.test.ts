// examples/ansible/, the collection rancher_enroll.enroll: `ansible-galaxy collection build` builds it, installed it
// documents its module and role to ansible-doc, its playbook passes `ansible-playbook --syntax-check`, and
// `ansible-test sanity` (ansible-core's own checks of a collection) finds nothing.
// test/release/ansible.test.ts runs it.
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  ansibleEnv,
  buildCollection,
  COLLECTION_SOURCE,
  galaxy,
  installCollection,
  type Galaxy,
} from "../support/ansible.js";
import { missingTools, repoFile } from "../support/integrations.js";
import { mustRun, runCommand } from "../support/testbed/command.js";

// pylint, pycodestyle, yamllint (and python3-voluptuous) are what `ansible-test sanity` runs its checks with.
const skip = await missingTools(
  "ansible-playbook",
  "ansible-doc",
  "ansible-galaxy",
  "ansible-test",
  "pylint",
  "pycodestyle",
  "yamllint",
);
const SANITY_OFFLINE = repoFile("test/support/ansible-test-offline.py");

describe("Ansible collection", { skip }, () => {
  let dir = "";
  let tarball = "";
  let collections = "";
  let meta: Galaxy;
  const env = () => ansibleEnv({ ANSIBLE_COLLECTIONS_PATH: collections });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "rancher-enroll-collection-"));
    meta = await galaxy();
    tarball = await buildCollection(dir);
    collections = await installCollection(tarball, join(dir, "collections"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("builds as rancher_enroll.enroll, versioned as the package, with the module, the role and the playbook", async () => {
    const { version } = JSON.parse(await readFile(repoFile("package.json"), "utf8")) as { version: string };
    assert.equal(tarball, join(dir, `rancher_enroll-enroll-${version}.tar.gz`));
    assert.deepEqual([meta.namespace, meta.name, meta.version], ["rancher_enroll", "enroll", version]);
    const listing = await runCommand("tar", ["-tzf", tarball]);
    const files = listing.stdout.split("\n");
    for (const file of [
      "plugins/modules/host.py",
      "roles/rancher_enroll/tasks/main.yml",
      "roles/rancher_enroll/meta/argument_specs.yml",
      "playbooks/enroll.yml",
      "meta/runtime.yml",
    ])
      assert.ok(files.includes(file), `${file} in ${files.join(" ")}`);
  });

  it("passes `ansible-playbook --syntax-check` on its playbook", async () => {
    const result = await runCommand(
      "ansible-playbook",
      ["--syntax-check", "-i", "localhost,", "rancher_enroll.enroll.enroll"],
      { env: env() },
    );
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
  });

  it("documents the module, with examples and return values, and the role's variables (both server lines'), as ansible-doc reads them", async () => {
    const module = await runCommand("ansible-doc", ["-t", "module", "rancher_enroll.enroll.host"], {
      env: env(),
    });
    assert.equal(module.code, 0, module.stderr);
    assert.match(module.stdout, /^> RANCHER_ENROLL\.ENROLL\.HOST\s/);
    assert.match(module.stdout, /check_mode:\s+description:.*--dry-run/s);
    assert.match(module.stdout, /^EXAMPLES:/m);
    assert.match(module.stdout, /^RETURN VALUES:/m);
    const role = await runCommand("ansible-doc", ["-t", "role", "rancher_enroll.enroll.rancher_enroll"], {
      env: env(),
    });
    assert.equal(role.code, 0, role.stderr);
    assert.match(role.stdout, /rancher_enroll_package_url/);
    for (const option of ["cluster", "ca_checksum", "roles", "node_name", "address", "wait_for"])
      assert.match(module.stdout, new RegExp(`^- ${option}$`, "m"), `the module's option ${option}`);
    for (const variable of ["cluster", "token", "ca_checksum", "roles", "node_name", "address", "wait_for"])
      assert.match(
        role.stdout,
        new RegExp(`rancher_enroll_${variable}\\b`),
        `the role's variable for ${variable}`,
      );
  });

  it("passes `ansible-test sanity`", async () => {
    // ansible-test wants the collection at ansible_collections/NAMESPACE/NAME and writes into tests/output there.
    const root = join(dir, "sanity/ansible_collections/rancher_enroll/enroll");
    await cp(COLLECTION_SOURCE, root, { recursive: true });
    const result = await runCommand(
      "/usr/bin/python3",
      [SANITY_OFFLINE, "sanity", "--local", "--python", await pythonVersion(), "--color", "no"],
      { cwd: root, env: { ...process.env, HOME: dir } },
    );
    const output = `${result.stdout}${result.stderr}`;
    assert.equal(result.code, 0, output);
    for (const test of ["validate-modules", "ansible-doc", "pylint", "pep8", "import", "yamllint"])
      assert.match(output, new RegExp(`Running sanity test "${test}"`));
    assert.doesNotMatch(output, /Skipping sanity test/);
  });
});

/** The version (3.11) of Debian's python3, which ansible-core runs on: ansible-test's --python. */
function pythonVersion(): Promise<string> {
  return mustRun("/usr/bin/python3", ["-c", 'import sys; print("%d.%d" % sys.version_info[:2])']);
}
