// examples/chef/: there is no Chef package on these machines, so the cookbook is not run; Ruby checks its syntax,
// and runs its plain-Ruby library (libraries/settings.rb), which the recipe writes the profile with and the resource
// builds rancher-enroll's options with: the profile of each server line, the token only in the credentials file.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { missingTools, repoFile } from "../support/integrations.js";
import { runCommand } from "../support/testbed/command.js";

const COOKBOOK = repoFile("examples/chef/rancher_enroll");
const skip = await missingTools("ruby");

/** Calls RancherEnroll.<method>(*args) in Ruby, the arguments and the answer through JSON. */
async function settings(method: string, ...args: unknown[]): Promise<unknown> {
  const script = `require 'json'; require ARGV[0]; puts JSON.generate(RancherEnroll.${method}(*JSON.parse(ARGV[1])))`;
  const result = await runCommand("ruby", [
    "-e",
    script,
    join(COOKBOOK, "libraries/settings.rb"),
    JSON.stringify(args),
  ]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as unknown;
}

const TOKEN = "token-abcde:s3cr3tvalue";

describe("Chef cookbook", { skip }, () => {
  const files = readdirSync(COOKBOOK, { recursive: true, encoding: "utf8" }).filter((name) =>
    name.endsWith(".rb"),
  );

  it("has its metadata, the settings library, the resource and the recipe", () => {
    assert.deepEqual(files.sort(), [
      "attributes/default.rb",
      "libraries/settings.rb",
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

  it("Rancher 1.6: the profile names the environment, the credentials hold the key pair", async () => {
    const attributes = { url: "https://rancher.example.com:8080", environment: "Default", roles: [] };
    const item = { access_key: "AK1", secret_key: "SK1" };
    assert.equal(
      await settings("config", attributes, item),
      "[default]\nurl = https://rancher.example.com:8080\nenvironment = Default\n",
    );
    assert.equal(await settings("credentials", item), "[default]\naccess_key = AK1\nsecret_key = SK1\n");
  });

  it("Rancher 2.x: the profile names the cluster and the node settings that are set, never the environment; the credentials hold the token", async () => {
    const attributes = {
      url: "https://rancher.example.com",
      environment: "Default",
      cluster: "production",
      ca_checksum: "ab12",
      roles: ["etcd", "controlplane"],
      node_name: "cp-1",
      address: null,
      wait_for: "registered",
    };
    assert.equal(
      await settings("config", attributes, { token: TOKEN }),
      "[default]\nurl = https://rancher.example.com\ncluster = production\nca_checksum = ab12\n" +
        "roles = etcd,controlplane\nnode_name = cp-1\nwait_for = registered\n",
    );
    assert.equal(
      await settings("config", { url: "https://r.example.com", environment: "Default" }, { token: TOKEN }),
      "[default]\nurl = https://r.example.com\n",
      "a token alone makes the profile a 2.x one",
    );
    assert.equal(await settings("credentials", { token: TOKEN }), `[default]\ntoken = ${TOKEN}\n`);
  });

  it("the resource's options: labels and the 2.x node settings for up, the CA checksum for every command", async () => {
    const properties = {
      profile: "default",
      labels: { zone: "a", role: "web" },
      cluster: "c-m8x2k",
      ca_checksum: "ab12",
      roles: ["worker"],
      node_name: "web-1",
      address: "10.0.0.5",
      wait_for: "active",
    };
    assert.deepEqual(await settings("up_options", properties), [
      ...["--label", "role=web", "--label", "zone=a", "--role", "worker", "--cluster", "c-m8x2k"],
      ...["--node-name", "web-1", "--address", "10.0.0.5", "--wait-for", "active"],
    ]);
    assert.deepEqual(await settings("server_options", properties), [
      ...["--profile", "default", "--ca-checksum", "ab12"],
    ]);
    assert.deepEqual(await settings("up_options", { profile: "default", labels: {}, roles: [] }), []);
    assert.deepEqual(await settings("server_options", { profile: "default" }), ["--profile", "default"]);
  });
});
