// The built CLI as shipped (`node dist/cli.js`, or the single executable named by RANCHER_ENROLL_BIN, from a
// PATH without node): version, help, and a stderr that carries only our logs and our error, nothing from Node.js.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../support/cli.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const home = mkdtempSync(join(tmpdir(), "rancher-enroll-e2e-home-"));
const env = { HOME: home, RANCHER_ENROLL_STATE_DIR: join(home, "state") };

describe("the built CLI", () => {
  after(() => rmSync(home, { recursive: true, force: true }));

  it("--version prints the package's version and nothing else", async () => {
    const run = await runCli(["--version"], env);
    assert.deepEqual([run.code, run.stdout, run.stderr], [0, `${version}\n`, ""]);
  });

  it("--help lists the commands", async () => {
    const run = await runCli(["--help"], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Usage: rancher-enroll /);
    assert.match(run.stdout, /^ {2}up /m);
    assert.equal(run.stderr, "");
  });

  it("a failing up writes JSON log lines and the error on stderr, and no Node.js warning", async () => {
    const run = await runCli(["up", "--environment", "Default"], {
      ...env,
      DOCKER_HOST: `unix://${join(home, "no-docker.sock")}`,
      RANCHER_URL: "http://127.0.0.1:9/v2-beta",
      RANCHER_ACCESS_KEY: "ACCESSKEY1234567",
      RANCHER_SECRET_KEY: "secret",
    });
    assert.equal(run.code, 5, run.stderr);
    const [errorLine, ...rest] = run.stderr.split("\n").filter((line) => !line.startsWith("{"));
    assert.match(errorLine ?? "", /^error: the Docker engine at unix:\/\/.* does not answer/);
    assert.ok(
      rest.every((line) => /^ {2}|^$/.test(line)),
      `only the error and its hint:\n${run.stderr}`,
    );
    const logs = run.stderr.split("\n").filter((line) => line.startsWith("{"));
    assert.ok(logs.length > 0 && logs.every((line) => typeof JSON.parse(line).msg === "string"));
  });
});
