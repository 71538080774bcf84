// examples/terraform/: HashiCorp's HCL parser (hcl2json, WebAssembly, from npm) reads the example; create runs `up`
// and destroy runs `down`, both with JSON output, in bash scripts that shellcheck passes; the rules Terraform
// enforces at plan time that the parser does not are checked here.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blocks, parseHclFile } from "../support/hcl.js";
import { missingTools, shellcheck } from "../support/integrations.js";
import { provisioners, TERRAFORM_EXAMPLE } from "../support/terraform-provision.js";

const skip = await missingTools("shellcheck");

describe("Terraform example", { skip }, () => {
  const script = (inline: unknown) => `${(inline as string[]).join("\n")}\n`;

  it("runs `up --output json` on create and `down --output json` on destroy, in scripts shellcheck passes", async () => {
    const { create, destroy } = await provisioners();
    assert.equal(create.length, 1);
    assert.equal(destroy.length, 1);
    assert.match(script(create[0]!.inline), /^sudo rancher-enroll up --output json \| tee \S+$/m);
    assert.match(script(destroy[0]!.inline), /^sudo rancher-enroll down --yes --output json \| tee \S+$/m);
    for (const block of [...create, ...destroy]) {
      const text = script(block.inline);
      assert.match(
        text,
        /^#!\/bin\/bash\nset -o errexit -o pipefail\n/,
        "a failing command fails the provisioner",
      );
      const check = await shellcheck(text, "bash");
      assert.equal(check.code, 0, check.stdout);
    }
  });

  it("refers to nothing but `self` where Terraform destroys, and to no secret in remote-exec", async () => {
    const config = await parseHclFile(TERRAFORM_EXAMPLE);
    const [resource] = blocks(config, "resource", "terraform_data", "rancher_host");
    const { create, destroy } = await provisioners();
    for (const value of Object.values(blocks(resource!, "connection")[0]!)) {
      assert.doesNotMatch(String(value), /\bvar\./, "a destroy-time connection may refer only to self");
    }
    assert.doesNotMatch(JSON.stringify(destroy), /\bvar\./);
    const secrets = Object.entries(config.variable as Record<string, Array<{ sensitive?: boolean }>>)
      .filter(([, [declaration]]) => declaration?.sensitive)
      .map(([name]) => name);
    assert.deepEqual(secrets.sort(), ["rancher_access_key", "rancher_secret_key", "rancher_token"]);
    for (const name of secrets) {
      assert.doesNotMatch(
        JSON.stringify(create),
        new RegExp(`var\\.${name}\\b`),
        "Terraform would hide the output",
      );
    }
  });
});
