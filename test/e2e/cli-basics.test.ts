// The built CLI as shipped (`node dist/cli.js`, or the single executable named by RANCHER_ENROLL_BIN, from a
// PATH without node): version, help, and a stderr that carries only our logs and our error, nothing from Node.js.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CLI_PATH, cliInvocation, runCli } from "../support/cli.js";
import { Terminal } from "../support/terminal.js";
import { runCommand } from "../support/testbed/command.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const home = mkdtempSync(join(tmpdir(), "rancher-enroll-e2e-home-"));
const env = { HOME: home, RANCHER_ENROLL_STATE_DIR: join(home, "state") };

/** The CLI's exit code and stderr when the reader of its stdout has gone before it writes. */
async function withReaderGone(args: string[]): Promise<[number | null, string]> {
  const { argv, path } = cliInvocation(args);
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { ...env, PATH: path },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "close")) as [number | null];
  return [code, stderr];
}

describe("the built CLI", () => {
  const noDocker = {
    ...env,
    DOCKER_HOST: `unix://${join(home, "no-docker.sock")}`,
    RANCHER_URL: "http://127.0.0.1:9/v2-beta",
    RANCHER_ACCESS_KEY: "ACCESSKEY1234567",
    RANCHER_SECRET_KEY: "secret",
    RANCHER_ENROLL_WAIT_FOR_DOCKER: "0",
  };

  after(() => rmSync(home, { recursive: true, force: true }));

  it("--version prints the version and the commit it was built from, the servers it supports, its runtime", async () => {
    const run = await runCli(["--version"], env);
    assert.deepEqual([run.code, run.stderr], [0, ""]);
    const [first, servers, ...rest] = run.stdout.split("\n");
    assert.match(
      first ?? "",
      new RegExp(`^${version.replaceAll(".", "\\.")} \\(commit [0-9a-f]{12}(-dirty)?\\)$`),
    );
    assert.match(servers ?? "", /^servers: Rancher 1\.6 \(API \/v2-beta, \/v1\)/);
    assert.match(rest[0] ?? "", /^runtime: Node\.js \d+\.\d+\.\d+, linux x64$/);
    assert.deepEqual(rest.slice(1), [""]);
  });

  it("--version alone, which the entry answers before loading the CLI, says what commander says otherwise", async () => {
    const byCommander = await runCli(["--log-level", "info", "--version"], env);
    assert.deepEqual([byCommander.code, byCommander.stderr], [0, ""]);
    for (const flag of ["--version", "-V"]) {
      const alone = await runCli([flag], env);
      assert.deepEqual([alone.code, alone.stdout, alone.stderr], [0, byCommander.stdout, ""], flag);
    }
    assert.deepEqual(
      await withReaderGone(["--version"]),
      [141, ""],
      "a reader that goes away: as SIGPIPE would",
    );
  });

  it("--help lists the commands", async () => {
    const run = await runCli(["--help"], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Usage: rancher-enroll /);
    assert.match(run.stdout, /^ {2}up /m);
    assert.equal(run.stderr, "");
  });

  it("a reader that goes away (`--help | head -0`) ends it quietly, as SIGPIPE ends a Unix tool", async () => {
    assert.deepEqual(await withReaderGone(["up", "--help"]), [141, ""]);
  });

  it("every command's --help lists the global options, examples and the exit codes", async () => {
    const commands = ["up", "status", "down", "prepare", "configure", "profiles", "settings"];
    for (const command of commands) {
      const run = await runCli([command, "--help"], env);
      assert.equal(run.code, 0, run.stderr);
      const help = run.stdout;
      for (const option of ["--output <format>", "--log-level <level>", "--log-format <format>"])
        assert.ok(help.split("Global Options:")[1]?.includes(option), `${command}: ${option}`);
      assert.match(help, new RegExp(`\nExamples:\n {2}.*rancher-enroll ${command}`), command);
      assert.match(
        help,
        /\nExit codes:\n {4}0 {2}done\n[^]* {3}2 {2}a setting[^]* {2}130 {2}interrupted/,
        command,
      );
    }
  });

  it("with --output json, a usage error is one JSON object on stdout too", async () => {
    const cases = [["up", "--bogus"], ["up", "--timeout"], ["--log-level", "loud", "status"], ["enrol"]];
    for (const args of cases) {
      const run = await runCli(["--output", "json", ...args], env);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /^error: /);
      const { ok, error } = run.json() as {
        ok: boolean;
        error: { kind: string; exitCode: number; hint: string };
      };
      assert.deepEqual([ok, error.kind, error.exitCode], [false, "usage", 2], args.join(" "));
      assert.match(error.hint, /^See `rancher-enroll .*--help`\.$/);
    }
  });

  it("with --output json, a crash is one JSON object on stdout and exit code 1", async () => {
    // A throw nothing catches, while up waits for Docker (status, with nothing recorded, no longer waits): from a
    // timer of a module loaded before the CLI, once the CLI listens for such failures.
    const crash =
      "data:text/javascript,const t = setInterval(() => { if (process.listenerCount('uncaughtException')) " +
      "{ clearInterval(t); setTimeout(() => { throw new Error('boom') }, 100) } }, 10)";
    const run = await runCommand(
      process.execPath,
      ["--import", crash, CLI_PATH, "-o", "json", "up", "--environment", "Default"],
      {
        env: { ...noDocker, RANCHER_ENROLL_WAIT_FOR_DOCKER: "5" },
      },
    );
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      ok: false,
      error: {
        kind: "internal",
        exitCode: 1,
        message: "unexpected failure: boom",
        hint: "Please report this with the log output.",
      },
    });
    assert.match(run.stderr, /error: unexpected failure: boom\n/);
  });

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
