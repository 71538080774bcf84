// The built CLI as shipped (`node dist/cli.js`, or the single executable named by RANCHER_ENROLL_BIN, from a
// PATH without node): version, help, and a stderr that carries only our logs and our error, nothing from Node.js.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../support/cli.js";
import { Terminal } from "../support/terminal.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const home = mkdtempSync(join(tmpdir(), "rancher-enroll-e2e-home-"));
const env = { HOME: home, RANCHER_ENROLL_STATE_DIR: join(home, "state") };

describe("the built CLI", () => {
  after(() => rmSync(home, { recursive: true, force: true }));

  it("--version prints the package's version and the commit it was built from, nothing else", async () => {
    const run = await runCli(["--version"], env);
    assert.deepEqual([run.code, run.stderr], [0, ""]);
    assert.match(
      run.stdout,
      new RegExp(`^${version.replaceAll(".", "\\.")} \\(commit [0-9a-f]{12}(-dirty)?\\)\n$`),
    );
  });

  it("--help lists the commands", async () => {
    const run = await runCli(["--help"], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Usage: rancher-enroll /);
    assert.match(run.stdout, /^ {2}up /m);
    assert.equal(run.stderr, "");
  });

  const noDocker = {
    ...env,
    DOCKER_HOST: `unix://${join(home, "no-docker.sock")}`,
    RANCHER_URL: "http://127.0.0.1:9/v2-beta",
    RANCHER_ACCESS_KEY: "ACCESSKEY1234567",
    RANCHER_SECRET_KEY: "secret",
    RANCHER_ENROLL_WAIT_FOR_DOCKER: "0",
  };

  it("a failing up writes text log lines and the error on stderr, and no Node.js warning", async () => {
    const run = await runCli(["up", "--environment", "Default"], noDocker);
    assert.equal(run.code, 5, run.stderr);
    const lines = run.stderr.trimEnd().split("\n");
    const time = "\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z";
    const error = lines.findIndex((line) =>
      new RegExp(
        `^${time} error: there is no Docker engine at unix://.*: the socket .* does not exist$`,
      ).test(line),
    );
    assert.ok(error > 0, `the error, after the log lines:\n${run.stderr}`);
    assert.ok(
      lines.every((line, index) => new RegExp(`^${time} ${index > error ? " {2}" : ""}\\S`).test(line)),
      `only log lines, the error and its hint, each with its time:\n${run.stderr}`,
    );
  });

  it("with --log-format json (or its variable), every stderr line is a JSON record, the error last", async () => {
    for (const run of [
      await runCli(["up", "--log-format", "json"], noDocker),
      await runCli(["up"], { ...noDocker, RANCHER_ENROLL_LOG_FORMAT: "json" }),
    ]) {
      assert.equal(run.code, 5, run.stderr);
      const records = run.stderr
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as { msg: string; level: number; kind?: string });
      assert.ok(records.every((record) => typeof record.msg === "string"));
      assert.deepEqual([records.at(-1)?.level, records.at(-1)?.kind], [50, "docker"]);
    }
  });

  it("at a terminal, a Docker socket that does not exist is said at once: exit 5, what to do", async () => {
    const started = Date.now();
    const terminal = await Terminal.start(["up"], { ...noDocker, RANCHER_ENROLL_WAIT_FOR_DOCKER: undefined });
    try {
      const code = await terminal.exitCode(30_000);
      const screen = await terminal.screen();
      assert.equal(code, 5, screen);
      assert.ok(Date.now() - started < 15_000, `not the 60 s of --wait-for-docker:\n${screen}`);
      assert.match(screen, /error: there is no Docker engine at unix:\/\/\S+: the socket \S+ does not exist/);
      assert.match(screen, /systemctl start docker/);
    } finally {
      await terminal.dispose();
    }
  });
});
