// cloud-init/: every user-data file is valid for Debian's cloud-init, keeps the API key (1.6) or token (2.x) in a
// profile file only root may read (never on a command line), and runs shell in which shellcheck finds nothing.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { missingTools, repoFile, shellcheck } from "../support/integrations.js";
import { runCommand } from "../support/testbed/command.js";

const FILES = readdirSync(repoFile("cloud-init")).filter((name) => name.endsWith(".yaml"));
const skip = await missingTools("cloud-init", "shellcheck");

interface WriteFile {
  path: string;
  owner?: string;
  permissions?: string;
  content: string;
}

interface CloudConfig {
  write_files?: WriteFile[];
  runcmd?: Array<string | string[]>;
}

/** The script cloud-init's runcmd module writes for scripts-user to run (its own shellify). */
async function runcmdScript(runcmd: CloudConfig["runcmd"]): Promise<string> {
  const shellify =
    "import json, sys; from cloudinit.util import shellify; print(shellify(json.loads(sys.argv[1])))";
  const result = await runCommand("/usr/bin/python3", ["-c", shellify, JSON.stringify(runcmd)]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

describe("cloud-init user-data", { skip }, () => {
  it("ships variants for fresh machines (1.6, 2.x RKE1, RKE2/K3s) and one for machines made from the Packer image", () => {
    assert.deepEqual(FILES, [
      "user-data-baked.yaml",
      "user-data-rancher2.yaml",
      "user-data-rke2.yaml",
      "user-data.yaml",
    ]);
  });

  for (const file of FILES) {
    const path = repoFile(`cloud-init/${file}`);
    const config = () => parse(readFileSync(path, "utf8")) as CloudConfig;

    describe(file, () => {
      it("is valid cloud-config for `cloud-init schema`", async () => {
        const result = await runCommand("cloud-init", ["schema", "--config-file", path]);
        assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
        assert.match(result.stdout, /^Valid cloud-config/);
      });

      it("writes the API key or token into the root-only credentials file, and no command line carries it", () => {
        const { write_files: files = [], runcmd = [] } = config();
        const rancher2 = /rancher2|rke2/.test(file);
        const credentials = files.find((entry) => entry.path === "/etc/rancher-enroll/credentials");
        assert.ok(credentials, "write_files has /etc/rancher-enroll/credentials");
        assert.equal(credentials.permissions, "0600");
        assert.equal(credentials.owner, "root:root");
        assert.match(
          credentials.content,
          rancher2 ? /^\[default\]\ntoken = \S+\n$/ : /^\[default\]\naccess_key = \S+\nsecret_key = \S+\n$/,
        );
        const settings = files.find((entry) => entry.path === "/etc/rancher-enroll/config")?.content ?? "";
        assert.match(settings, rancher2 ? /^cluster = \S+$/m : /^environment = \S+$/m, "the line's own word");
        assert.doesNotMatch(settings, rancher2 ? /^environment/m : /^cluster/m);
        const commands = JSON.stringify(runcmd);
        assert.doesNotMatch(
          commands,
          /CHANGE-ME-(ACCESS-KEY|SECRET-KEY|TOKEN)|--(access-key|secret-key|token)|RANCHER_(ACCESS_KEY|SECRET_KEY|TOKEN)/,
        );
        assert.match(commands, /rancher-enroll up --output json --label/);
      });

      it("installs Docker on a fresh machine only where the agent is a container (not RKE2/K3s; the Packer image has it)", () => {
        const installsDocker = JSON.stringify(config().runcmd ?? []).includes("docker.io");
        assert.equal(installsDocker, file !== "user-data-rke2.yaml" && file !== "user-data-baked.yaml");
      });

      it("runs shell in which shellcheck finds nothing", async () => {
        const check = await shellcheck(await runcmdScript(config().runcmd), "sh");
        assert.equal(check.code, 0, check.stdout);
      });
    });
  }
});
