// configure checks a profile before it writes it (issue 13): the URL answers as Rancher (either line), the key is
// accepted, the environment or cluster exists, and when it is missing or wrong the error lists those the key sees;
// --no-verify writes offline; at a terminal (tmux), the list is numbered to choose from, as `rancher config` does.
// The built CLI against both simulators on loopback; no Docker engine is needed.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { runCli, withoutTimestamps } from "../support/cli.js";
import { Hostile } from "../support/hostile-server.js";
import { startSimulator, type Simulator } from "../support/simulator/index.js";
import { startV3Simulator, type V3Simulator } from "../support/simulator/v3/index.js";
import { Terminal } from "../support/terminal.js";

describe("configure checks before it writes", () => {
  let v1: Simulator;
  let v3: V3Simulator;
  let notRancher: Hostile;
  let directory: string;
  let env: Record<string, string>;

  before(async () => {
    [v1, v3, notRancher] = await Promise.all([
      startSimulator({ host: "127.0.0.1" }),
      startV3Simulator({ host: "127.0.0.1" }),
      new Hostile(createServer()).listen("http"),
    ]);
    notRancher.handler = (_, response) => {
      response.writeHead(404, { "content-type": "text/html" });
      response.end("<html><body>Not Found</body></html>");
    };
  });
  after(async () => {
    notRancher.close();
    await Promise.all([v1.close(), v3.close()]);
  });
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "rancher-enroll-configure-"));
    env = {
      RANCHER_ENROLL_CONFIG_FILE: join(directory, "config"),
      RANCHER_ENROLL_CREDENTIALS_FILE: join(directory, "credentials"),
      HOME: directory,
    };
  });
  afterEach(() => rmSync(directory, { recursive: true }));

  const key1 = () => ({
    RANCHER_ACCESS_KEY: v1.environmentKey.accessKey,
    RANCHER_SECRET_KEY: v1.environmentKey.secretKey,
  });
  const configure = (args: string[], variables: Record<string, string> = {}) =>
    runCli(["configure", "--from-env", ...args], { ...env, ...variables });
  const nothingWritten = () => {
    assert.ok(!existsSync(env.RANCHER_ENROLL_CONFIG_FILE!), "no config file");
    assert.ok(!existsSync(env.RANCHER_ENROLL_CREDENTIALS_FILE!), "no credentials file");
  };

  it("1.6: writes once the URL, the key and the environment check out, and says what it checked", async () => {
    const run = await configure(["--url", v1.url, "--environment", "Default", "-o", "json"], key1());
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.json().checked, {
      url: v1.url,
      server: "Rancher 1.6",
      version: "v1.6.30",
      target: { word: "environment", id: "1a5", name: "Default" },
    });
    assert.match(readFileSync(env.RANCHER_ENROLL_CONFIG_FILE!, "utf8"), /^environment = Default$/m);
    const text = await configure(["--url", v1.url], key1());
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^checked: \S+ answers as Rancher 1\.6 \(v1\.6\.30\), accepts the credentials, and has environment Default \(1a5\)$/m,
    );
  });

  it("2.x: the token and the cluster check out", async () => {
    const run = await configure(["--url", v3.url, "--cluster", "dev-rke1", "-o", "json"], {
      RANCHER_TOKEN: v3.adminToken.bearer,
    });
    assert.equal(run.code, 0, run.stderr);
    const { checked } = run.json() as { checked: { server: string; target: { word: string; name: string } } };
    assert.equal(checked.server, "Rancher 2.x");
    assert.deepEqual([checked.target.word, checked.target.name], ["cluster", "dev-rke1"]);
  });

  const refusals: [string, () => [string[], Record<string, string>], number, RegExp][] = [
    [
      "a refused key: exit 3, naming where the key came from",
      () => [["--url", v1.url], { ...key1(), RANCHER_SECRET_KEY: "not-the-secret" }],
      3,
      /^error: the server rejected the API key \S+ \(from RANCHER_ACCESS_KEY and RANCHER_SECRET_KEY\).*; nothing was written\n.*add --no-verify\.$/m,
    ],
    [
      "1.6: an unknown environment: exit 4, listing those the key sees",
      () => [["--url", v1.url, "--environment", "Prod"], key1()],
      4,
      /^error: environment "Prod" not found; the API key can see: Default \(1a5\); nothing was written$/m,
    ],
    [
      "2.x: an unknown cluster: exit 4, listing those the token sees",
      () => [["--url", v3.url, "--cluster", "prod"], { RANCHER_TOKEN: v3.adminToken.bearer }],
      4,
      /^error: cluster "prod" not found; the API token can see: (dev-rke\d \(c-[\w-]+\)(, )?){2}; nothing was written$/m,
    ],
    [
      "2.x: no cluster, and the token sees several: exit 2, listing them",
      () => [["--url", v3.url], { RANCHER_TOKEN: v3.adminToken.bearer }],
      2,
      /^error: no cluster given and the API token can see several: (dev-rke\d \(c-[\w-]+\)(, )?){2}; nothing was written$/m,
    ],
    [
      "a URL that is not a Rancher API: exit 8",
      () => [["--url", notRancher.url], key1()],
      8,
      /^error: .*127\.0\.0\.1.*; nothing was written$/m,
    ],
  ];
  for (const [name, given, code, message] of refusals) {
    it(`${name}; nothing is written`, async () => {
      const [args, variables] = given();
      const run = await configure(args, variables);
      assert.equal(run.code, code, run.stderr);
      assert.match(withoutTimestamps(run.stderr), message);
      nothingWritten();
    });
  }

  it("an unreachable server: retried for a short while, not the --timeout it may write; exit 8, nothing written", async () => {
    const run = await configure(["--url", "http://127.0.0.1:1", "--timeout", "900"], key1());
    assert.equal(run.code, 8, run.stderr);
    const said = withoutTimestamps(run.stderr);
    assert.match(
      said,
      /cannot be reached \(connection refused\); retrying until [\d:]+ \(configure checks for at most 15 s\)/,
    );
    assert.match(
      said,
      /^error: cannot reach the Rancher server at http:\/\/127\.0\.0\.1:1 .*; nothing was written$/m,
    );
    assert.doesNotMatch(said, /--timeout 900/);
    nothingWritten();
  });

  it("--no-verify writes without contacting anything; without credentials there is nothing to check", async () => {
    const before = notRancher.seen.length;
    const offline = await configure(["--url", notRancher.url, "--no-verify"], key1());
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, /^not checked against a server \(--no-verify\)$/m);
    assert.equal(notRancher.seen.length, before, "no request");
    assert.match(readFileSync(env.RANCHER_ENROLL_CREDENTIALS_FILE!, "utf8"), /^secret_key = /m);

    const urlOnly = await configure(["--profile", "other", "--url", notRancher.url]);
    assert.equal(urlOnly.code, 0, urlOnly.stderr);
    assert.match(urlOnly.stdout, /^not checked against a server: the API credentials are not set$/m);
    assert.equal(notRancher.seen.length, before, "no request");
  });

  it("checks the profile as it will be: the values given over those it holds", async () => {
    const first = await configure(["--url", v1.url, "--environment", "Default"], key1());
    assert.equal(first.code, 0, first.stderr);
    const wrong = await runCli(["configure", "--environment", "Prod"], env);
    assert.equal(wrong.code, 4, wrong.stderr);
    assert.match(readFileSync(env.RANCHER_ENROLL_CONFIG_FILE!, "utf8"), /^environment = Default$/m);
    const labels = await runCli(["configure", "--label", "role=web"], env);
    assert.equal(labels.code, 0, labels.stderr);
    assert.match(labels.stdout, /has environment Default \(1a5\)$/m);
  });

  /** `configure` at a terminal, answering each prompt (the screen's last line) as it comes, from what it shows. */
  async function answering(answers: readonly (readonly [RegExp, string | ((screen: string) => string)])[]) {
    const terminal = await Terminal.start(["configure"], env, { columns: 120 });
    try {
      for (const [prompt, answer] of answers) {
        const screen = await terminal.waitForScreen(prompt);
        await terminal.type(typeof answer === "string" ? answer : answer(screen));
      }
      return { code: await terminal.exitCode(), screen: await terminal.screen() };
    } finally {
      await terminal.dispose();
    }
  }

  it("at a terminal, 2.x, no cluster given: the clusters numbered, asked again out of range, the one chosen written", async () => {
    const { code, screen } = await answering([
      [/URL:$/, v3.url],
      [/access key:$/, v3.adminToken.accessKey],
      [/secret key:$/, v3.adminToken.secretKey],
      [/environment:$/, ""],
      [/Which cluster \(1-2\):$/, "3"],
      // In the server's order: the number the list shows.
      [
        /is not a number from 1 to 2\nWhich cluster \(1-2\):$/,
        (shown) => /^(\d) {2}dev-rke2 /m.exec(shown)![1]!,
      ],
    ]);
    assert.equal(code, 0, screen);
    const chosen = v3.cluster("dev-rke2");
    for (const cluster of [chosen, v3.cluster("dev-rke1")]) {
      assert.match(screen, new RegExp(`^[12] {2}${cluster.name} \\(${cluster.id}\\)$`, "m"));
    }
    assert.match(screen, new RegExp(`and has cluster dev-rke2 \\(${chosen.id}\\)$`, "m"));
    const config = readFileSync(env.RANCHER_ENROLL_CONFIG_FILE!, "utf8");
    assert.match(config, new RegExp(`^cluster = ${chosen.id}$`, "m"));
    assert.match(config, new RegExp(`^url = ${v3.url}$`, "m"), "the answers are kept");
  });

  it("at a terminal, 1.6, an environment not found: the only one the key sees, taken by an empty answer", async () => {
    const { code, screen } = await answering([
      [/URL:$/, v1.url],
      [/access key:$/, v1.environmentKey.accessKey],
      [/secret key:$/, v1.environmentKey.secretKey],
      [/environment:$/, "Prod"],
      [/^1 {2}Default \(1a5\)\nWhich environment \(1\) \[1\]:$/m, ""],
    ]);
    assert.equal(code, 0, screen);
    assert.match(screen, /^environment "Prod" not found; the API key can see: Default \(1a5\)$/m);
    assert.match(readFileSync(env.RANCHER_ENROLL_CONFIG_FILE!, "utf8"), /^environment = 1a5$/m);
    assert.match(readFileSync(env.RANCHER_ENROLL_CREDENTIALS_FILE!, "utf8"), /^secret_key = /m);
  });
});
