// packer/: `packer validate` (Debian's packer) accepts the template, `packer fmt` has nothing to change, and the
// provisioner's shell passes shellcheck and ends by removing the machine identity.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blocks, parseHclFile } from "../support/hcl.js";
import { missingTools, shellcheck } from "../support/integrations.js";
import { PACKER_TEMPLATE } from "../support/packer-bake.js";
import { runCommand } from "../support/testbed/command.js";

const skip = await missingTools("packer", "shellcheck");
const packer = (args: string[]) =>
  runCommand("packer", args, { env: { ...process.env, CHECKPOINT_DISABLE: "1", PACKER_LOG: "" } });

describe("Packer template", { skip }, () => {
  it("passes `packer validate`, given the executable's SHA-256", async () => {
    const result = await packer([
      "validate",
      "-var",
      `rancher_enroll_sha256=${"0".repeat(64)}`,
      PACKER_TEMPLATE,
    ]);
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
  });

  it("is formatted as `packer fmt` writes it", async () => {
    const result = await packer(["fmt", "-check", "-diff", PACKER_TEMPLATE]);
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
  });

  it("provisions with shell that shellcheck passes, ending with `prepare --clean`", async () => {
    const [build] = blocks(await parseHclFile(PACKER_TEMPLATE), "build");
    const [shell] = blocks(build!, "provisioner", "shell");
    const inline = shell!.inline as string[];
    assert.match(inline.at(-1)!, /^rancher-enroll prepare .*--clean$/);
    const check = await shellcheck(`#!/bin/sh -e\n${inline.join("\n")}\n`, "sh");
    assert.equal(check.code, 0, check.stdout);
  });
});
