// examples/chef/: there is no Chef package on these machines, so the cookbook is not run; Ruby checks its syntax.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { missingTools, repoFile } from "../support/integrations.js";
import { runCommand } from "../support/testbed/command.js";

const COOKBOOK = repoFile("examples/chef/rancher_enroll");
const skip = await missingTools("ruby");

describe("Chef cookbook", { skip }, () => {
  const files = readdirSync(COOKBOOK, { recursive: true, encoding: "utf8" }).filter((name) =>
    name.endsWith(".rb"),
  );

  it("has its metadata, the resource and the recipe", () => {
    assert.deepEqual(files.sort(), [
      "attributes/default.rb",
      "metadata.rb",
      "recipes/default.rb",
      "resources/host.rb",
    ]);
  });

  for (const file of files) {
    it(`${file} parses (ruby -c)`, async () => {
      const result = await runCommand("ruby", ["-c", join(COOKBOOK, file)]);
      assert.equal(result.code, 0, result.stderr);
    });
  }
});
