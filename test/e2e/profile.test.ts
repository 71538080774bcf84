// Profiles end to end: the built CLI writes, lists, shows and uses them; the last suite enrolls a host from a
// profile alone, against the Rancher 1.6 simulator and a real Docker engine. Profile files live in temporary
// directories named by RANCHER_ENROLL_CONFIG_FILE and RANCHER_ENROLL_CREDENTIALS_FILE, never in /etc or a home.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { cliInvocation, runCli, withoutTimestamps } from "../support/cli.js";
import { startSimulator, type Simulator } from "../support/simulator/index.js";
import { e2eTestbed } from "../support/testbed/env.js";
import { resetEngine } from "../support/testbed/engine.js";
import type { TestbedInfo } from "../support/testbed/testbed.js";

const KEYS = {
  RANCHER_URL: "http://rancher.invalid:8080/v2-beta/projects/1a5",
  RANCHER_ACCESS_KEY: "ACCESSKEY1234567",
  RANCHER_SECRET_KEY: "secret-that-must-not-show",
};

function profileFiles() {
  const directory = mkdtempSync(join(tmpdir(), "rancher-enroll-e2e-"));
  const config = join(directory, "config");
  const credentials = join(directory, "credentials");
  const env = {
    RANCHER_ENROLL_CONFIG_FILE: config,
    RANCHER_ENROLL_CREDENTIALS_FILE: credentials,
    HOME: directory,
  };
  return { directory, config, credentials, env, remove: () => rmSync(directory, { recursive: true }) };
}

describe("profiles", () => {
  let files: ReturnType<typeof profileFiles>;
  beforeEach(() => {
    files = profileFiles();
  });
  afterEach(() => files.remove());

  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { ...files.env, ...env });

  it("configure --from-env writes both files, the credentials 0600; profiles and settings never show the secret", async () => {
    const written = await cli(
      // rancher.invalid: written offline, as a profile for a server this machine does not reach.
      ["configure", "--profile", "prod", "--from-env", "--label", "role=db", "--no-verify"],
      KEYS,
    );
    assert.equal(written.code, 0, written.stderr);
    assert.match(
      written.stdout,
      /profile "prod": wrote access_key, secret_key in .*credentials; url, labels in/,
    );
    assert.equal(statSync(files.credentials).mode & 0o777, 0o600);
    assert.match(readFileSync(files.config, "utf8"), /^\[profile prod\]\nurl = http:\/\/rancher.invalid/m);

    const listed = await cli(["profiles", "-o", "json"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.json().profiles, [
      {
        name: "prod",
        current: false,
        url: KEYS.RANCHER_URL,
        accessKey: "****4567",
        secretKey: true,
      },
    ]);

    const shown = await cli(["settings", "--timeout", "30"], {
      RANCHER_PROFILE: "prod",
      RANCHER_ENVIRONMENT: "Prod",
    });
    assert.equal(shown.code, 0, shown.stderr);
    const lines = shown.stdout.split("\n");
    const row = (key: string) => lines.find((line) => line.startsWith(`${key} `))?.split(/\s{2,}/);
    assert.deepEqual(row("url"), [
      "url",
      "http://rancher.invalid:8080 (environment 1a5)",
      `profile "prod", ${files.config} line 6`,
    ]);
    assert.deepEqual(row("secret_key"), [
      "secret_key",
      "****",
      `profile "prod", ${files.credentials} line 7`,
    ]);
    assert.deepEqual(row("environment"), ["environment", "Prod", "RANCHER_ENVIRONMENT"]);
    assert.deepEqual(row("labels"), ["labels", "role=db", `profile "prod", ${files.config} line 7`]);
    assert.deepEqual(row("timeout"), ["timeout", "30", "--timeout"]);

    for (const run of [written, listed, shown]) {
      assert.ok(!(run.stdout + run.stderr).includes(KEYS.RANCHER_SECRET_KEY), "the secret is never printed");
    }
  });

  it("configure imports the Rancher 1.x CLI's ~/.rancher/cli.json", async () => {
    const cliJson = join(files.directory, ".rancher", "cli.json");
    mkdirSync(join(files.directory, ".rancher"));
    writeFileSync(
      cliJson,
      JSON.stringify({
        accessKey: KEYS.RANCHER_ACCESS_KEY,
        secretKey: KEYS.RANCHER_SECRET_KEY,
        url: "http://rancher.invalid:8080/v2-beta/schemas",
        environment: "1a5",
      }),
      { mode: 0o600 },
    );
    const imported = await cli([
      "configure",
      "--import-rancher-cli",
      "--environment",
      "Default",
      "--no-verify",
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    const shown = await cli(["settings", "-o", "json"]);
    const settings = shown.json().settings as { key: string; value?: string; origin?: { source: string } }[];
    assert.deepEqual(
      settings.map(({ key, value, origin }) => [key, value, origin?.source]),
      [
        ["url", "http://rancher.invalid:8080", "profile"],
        ["token", undefined, undefined],
        ["access_key", "****4567", "profile"],
        ["secret_key", "****", "profile"],
        ["ca_cert", undefined, undefined],
        ["insecure", "false", "default"],
        ["ca_checksum", undefined, undefined],
        ["environment", "Default", "profile"],
        ["cluster", undefined, undefined],
        ["labels", "none", "default"],
        ["agent_ip", undefined, undefined],
        ["agent_interface", undefined, undefined],
        ["roles", "worker", "default"],
        ["node_name", undefined, undefined],
        ["address", undefined, undefined],
        ["internal_address", undefined, undefined],
        ["taints", "none", "default"],
        ["wait_for", "active", "default"],
        ["timeout", "600", "default"],
        ["wait_for_docker", "60", "default"],
      ],
    );
  });

  it("configure on a terminal asks, keeping the secret off the screen", async () => {
    const answers: [RegExp, string][] = [
      [/Rancher server URL: $/, "http://tty.invalid:8080"],
      [/API access key: $/, "TTYACCESSKEY99"],
      [/API secret key: $/, "typed-secret-value"],
      [/Target environment: $/, ""],
    ];
    const screen = await onTerminal(["configure", "--profile", "tty", "--no-verify"], files.env, answers);
    assert.equal(screen.code, 0, screen.output);
    assert.match(screen.output, /TTYACCESSKEY99/, "ordinary answers are echoed");
    assert.ok(!screen.output.includes("typed-secret-value"), "the secret is not echoed");
    assert.match(readFileSync(files.credentials, "utf8"), /^secret_key = typed-secret-value$/m);
  });

  describe("bad input: exit 2 and a message that says what, where and how to fix it", () => {
    const cases: [string, () => void, string[], RegExp][] = [
      [
        "an unknown profile lists the known ones",
        () => {
          writeFileSync(files.config, "[default]\nurl = http://a\n[profile staging]\nurl = http://b\n");
        },
        ["settings", "--profile", "prod"],
        /error: profile "prod" \(from --profile\) is not in .*; known profiles: default, staging\n.*configure --profile prod/,
      ],
      [
        "a malformed file gives file and line",
        () => writeFileSync(files.config, "[default]\nurl = http://a\nenvironment Prod\n"),
        ["up", "--dry-run"],
        // Said once, though every setting reads the file.
        /(error: |\n- )\S+\/config line 3: expected KEY = VALUE, or a \[PROFILE\] section header\n(?![^]*config line 3)/,
      ],
      [
        "a credentials file others can read is refused, with the fix",
        () =>
          writeFileSync(files.credentials, "[default]\naccess_key = a\nsecret_key = b\n", { mode: 0o644 }),
        ["up", "--url", "http://a"],
        /error: the credentials file \S+ is accessible by group or others \(mode 0644\); refusing to use it\n.*chmod 600 /,
      ],
      [
        "a missing setting names every place it could come from, every missing setting at once",
        () => undefined,
        ["up"],
        /error: 2 problems with the settings:\n- the Rancher server URL is not set\n {2}Pass --url, set RANCHER_URL or set url in profile "default" of \S+\/config .*\n- the API credentials are not set\n/,
      ],
      [
        "configure without input or a terminal says how to give settings",
        () => undefined,
        ["configure"],
        /error: no setting given to write\n.*--from-env/,
      ],
    ];
    for (const [name, setup, args, message] of cases) {
      it(name, async () => {
        setup();
        const run = await cli(args);
        assert.equal(run.code, 2, run.stderr);
        assert.match(withoutTimestamps(run.stderr), message);
      });
    }
  });
});

const e2e = e2eTestbed();

describe("up with only a profile", { skip: e2e.skip }, () => {
  let testbed: TestbedInfo;
  let simulator: Simulator;
  let files: ReturnType<typeof profileFiles>;

  before(() => {
    testbed = e2e.testbed();
  });
  beforeEach(async () => {
    await resetEngine(testbed);
    simulator = await startSimulator({
      host: testbed.bridgeIp,
      timings: {
        tokenActivationMs: 300,
        registerActivationMs: 100,
        hostRegisteringMs: 300,
        hostActivatingMs: 500,
        pingIntervalSeconds: 1,
      },
    });
    files = profileFiles();
  });
  afterEach(async () => {
    await simulator.close();
    files.remove();
  });
  after(() => resetEngine(testbed));

  async function configureSim(): Promise<void> {
    const configured = await runCli(
      ["configure", "--profile", "sim", "--from-env", "--environment", "Default", "--label", "role=db"],
      {
        ...files.env,
        RANCHER_URL: simulator.url,
        RANCHER_ACCESS_KEY: simulator.environmentKey.accessKey,
        RANCHER_SECRET_KEY: simulator.environmentKey.secretKey,
      },
    );
    assert.equal(configured.code, 0, configured.stderr);
  }

  const machineEnv = () => ({
    ...files.env,
    DOCKER_HOST: testbed.dockerHost,
    RANCHER_ENROLL_STATE_DIR: join(files.directory, "state"),
  });

  it("enrolls this host from a profile: no RANCHER_* variable, no server flag", async () => {
    await configureSim();
    const env = machineEnv();
    const run = await runCli(["up", "--profile", "sim", "-o", "json"], env);
    assert.equal(run.code, 0, run.stderr);
    const result = run.json();
    const [host] = simulator.hosts("1a5");
    assert.ok(host);
    assert.equal(host.state, "active");
    assert.equal(host.labels.role, "db");
    assert.deepEqual(result.environment, { id: "1a5", name: "Default" });
    assert.deepEqual((result.host as { id: string; hostname: string }).id, host.id);
    assert.equal((result.host as { hostname: string }).hostname, hostname());
    assert.ok(
      !(run.stdout + run.stderr).includes(simulator.environmentKey.secretKey),
      "the secret key from the profile leaks nowhere",
    );
  });

  it("after up --profile, a plain status and down use the recorded profile; without its keys status still tells", async () => {
    await configureSim();
    const env = machineEnv();
    const up = await runCli(["up", "--profile", "sim", "-o", "json"], env);
    assert.equal(up.code, 0, up.stderr);
    const id = (up.json().host as { id: string }).id;
    const state = JSON.parse(readFileSync(join(env.RANCHER_ENROLL_STATE_DIR, "enrollment.json"), "utf8"));
    assert.equal(state.profile, "sim");
    assert.doesNotMatch(JSON.stringify(state), new RegExp(simulator.environmentKey.secretKey));

    const status = await runCli(["status", "-o", "json"], env);
    assert.equal(status.code, 0, status.stderr);
    assert.equal((status.json().host as { state: string }).state, "active");

    const noKeys = await runCli(["status"], {
      ...env,
      RANCHER_ENROLL_CREDENTIALS_FILE: join(files.directory, "none"),
    });
    assert.equal(noKeys.code, 12, noKeys.stderr);
    assert.match(
      noKeys.stdout,
      new RegExp(`^enrolled in environment Default \\(1a5\\) of ${simulator.url}: host ${id}; agent running`),
    );
    assert.match(
      noKeys.stdout,
      new RegExp(`\n {2}not checked: the host ${id} on the server: the API credentials are not set\n`),
    );

    const down = await runCli(["down", "-o", "json"], env);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(down.json().removedHosts, [id]);
  });
});

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing each answer once its prompt is on screen. */
function onTerminal(
  args: string[],
  env: Record<string, string>,
  answers: [RegExp, string][],
): Promise<{ code: number | null; output: string }> {
  const { argv, path } = cliInvocation(args);
  const command = argv.map((word) => `'${word}'`).join(" ");
  const child = spawn("script", ["--quiet", "--flush", "--return", "--command", command, "/dev/null"], {
    env: { PATH: path, TERM: "dumb", ...env },
    stdio: ["pipe", "pipe", "pipe"],
    timeout: 30_000,
  });
  let output = "";
  let next = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    const answer = answers[next];
    // eslint-disable-next-line no-control-regex
    if (answer && answer[0].test(output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ""))) {
      next += 1;
      child.stdin.write(`${answer[1]}\r`);
    }
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}
