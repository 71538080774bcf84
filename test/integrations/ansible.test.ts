// examples/ansible/: ansible-playbook accepts the playbook's syntax and ansible-doc reads the module's documentation.
// test/e2e/integrations-ansible.test.ts runs it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { missingTools, repoFile } from "../support/integrations.js";
import { runCommand } from "../support/testbed/command.js";

const skip = await missingTools("ansible-playbook", "ansible-doc");
const env = { ...process.env, ANSIBLE_NOCOLOR: "1" };

describe("Ansible example", { skip }, () => {
  it("passes `ansible-playbook --syntax-check`", async () => {
    const playbook = repoFile("examples/ansible/enroll.yml");
    const result = await runCommand("ansible-playbook", ["--syntax-check", "-i", "localhost,", playbook], {
      env,
    });
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
  });

  it("documents the rancher_enroll module as ansible-doc reads it", async () => {
    const library = repoFile("examples/ansible/roles/rancher_enroll/library");
    const result = await runCommand("ansible-doc", ["-M", library, "rancher_enroll"], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.match(result.stdout, /^> RANCHER_ENROLL/);
  });
});
