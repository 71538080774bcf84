// Bad input to `up`, one row each: the built CLI says what is wrong, exits with the usage code (2), and has contacted
// nothing and launched nothing: no request reached the server, no container exists, no state was written.
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { after, describe, it } from "node:test";
import { withoutTimestamps } from "../support/cli.js";
import { TestCertificates } from "../support/certificates.js";
import { e2e, useE2eWorld } from "../support/e2e.js";

const files = new TestCertificates();
after(() => files.remove());

interface BadInput {
  what: string;
  args: string[];
  env?: Record<string, string>;
  message: RegExp;
}

const CASES: BadInput[] = [
  {
    what: "a malformed URL",
    args: ["--url", "http//rancher:8080"],
    message: /^error: invalid server URL: "http\/\/rancher:8080" is not a URL$/m,
  },
  {
    what: "a malformed URL in RANCHER_URL",
    args: [],
    env: { RANCHER_URL: "https://rancher.example.com:port" },
    message: /^error: invalid server URL: ".*" is not a URL \(from RANCHER_URL\)$/m,
  },
  {
    what: "a scheme other than http and https",
    args: ["--url", "ftp://rancher.example.com"],
    message:
      /^error: invalid server URL: the server URL must start with http:\/\/ or https:\/\/, got "ftp:\/\/"$/m,
  },
  {
    what: "a label without '='",
    args: ["--label", "role"],
    message: /^error: invalid label "role": it has no '=' \(expected KEY=VALUE\)$/m,
  },
  {
    what: "a label key with bad characters",
    args: ["--label", "my role!=web"],
    message: /^error: invalid label "my role!=web": the key may hold only letters, digits/m,
  },
  {
    what: "a label value with control characters",
    args: ["--label", "role=web\u0007"],
    message: /^error: invalid label "role=web.": the value contains control characters$/m,
  },
  { what: "an unknown flag", args: ["--frobnicate"], message: /^error: unknown option '--frobnicate'$/m },
  {
    what: "an empty environment",
    args: ["--environment", " "],
    message: /^error: the environment is empty$/m,
  },
  {
    what: "a timeout that is not a number",
    args: ["--timeout", "ten"],
    message: /^error: --timeout must be a positive number of seconds, got "ten"$/m,
  },
  {
    what: "an unreadable CA file",
    args: ["--ca-cert", "/nonexistent/ca.pem"],
    message: /^error: --ca-cert: cannot read the CA certificate file \/nonexistent\/ca\.pem: ENOENT/m,
  },
  {
    what: "a CA file that holds no certificate",
    args: ["--ca-cert", files.file("ca.pem", "-----BEGIN PRIVATE KEY-----\n...\n")],
    message: /^error: --ca-cert: \S+\/ca\.pem holds no PEM certificate/m,
  },
  {
    what: "RANCHER_INSECURE neither true nor false",
    args: [],
    env: { RANCHER_INSECURE: "maybe" },
    message: /^error: RANCHER_INSECURE must be true or false, got "maybe"/m,
  },
  {
    what: "every problem at once: a timeout that is not a number, and no URL",
    args: ["--timeout", "abc"],
    env: { RANCHER_URL: "" },
    message:
      /^error: 2 problems with the settings:\n- the Rancher server URL is not set\n {2}Pass --url, set RANCHER_URL .*\n- --timeout must be a positive number of seconds, got "abc"\n {2}Fix each, then run the command again/m,
  },
];

describe("bad input to up", { skip: e2e.skip }, () => {
  const world = useE2eWorld();

  for (const { what, args, env, message } of CASES) {
    it(what, async () => {
      const run = await world.cli(["up", ...args], env);
      assert.equal(run.code, 2, `exit code\n${run.stderr}`);
      assert.match(withoutTimestamps(run.stderr), message);
      assert.equal(run.stdout, "");
      assert.deepEqual(world.simulator.requests, [], "nothing was asked of the server");
      assert.deepEqual(await world.containers(), [], "nothing was launched");
      assert.deepEqual(await readdir(world.stateDir), [], "nothing was written");
    });
  }
});

describe("bad input found before anything else, and absent settings", { skip: e2e.skip }, () => {
  const world = useE2eWorld();

  it("status and down check every setting first; settings only missing do not matter when not enrolled", async () => {
    for (const command of ["status", "down"]) {
      const run = await world.cli([command, "--timeout", "abc", "--url", "http//x"], { RANCHER_URL: "" });
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        withoutTimestamps(run.stderr),
        /^error: 2 problems with the settings:\n- --timeout must be a positive number of seconds, got "abc"\n- invalid server URL: "http\/\/x" is not a URL\n/m,
      );
    }
    const bare = { RANCHER_URL: "", RANCHER_ACCESS_KEY: "", RANCHER_SECRET_KEY: "" };
    assert.equal((await world.cli(["status"], bare)).code, 10);
    assert.equal((await world.cli(["down"], bare)).code, 0);
    assert.deepEqual(world.simulator.requests, []);
  });

  it("prepare checks every setting first, every problem at once; the server's only when it asks the server", async () => {
    const run = await world.cli(
      ["prepare", "--timeout", "abc", "--wait-for-docker", "soon", "--url", "http//x"],
      { RANCHER_URL: "" },
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      withoutTimestamps(run.stderr),
      /^error: 3 problems with the settings:\n- --timeout must be a positive number of seconds, got "abc"\n- --wait-for-docker .*"soon"\n- invalid server URL: "http\/\/x" is not a URL\n/m,
    );
    const named = await world.cli(["prepare", "--agent-image", "busybox", "--timeout", "abc"], {
      RANCHER_URL: "",
      RANCHER_ACCESS_KEY: "",
      RANCHER_SECRET_KEY: "",
    });
    assert.equal(named.code, 2, named.stderr);
    assert.match(
      withoutTimestamps(named.stderr),
      /^error: --timeout must be a positive number of seconds, got "abc"\n/m,
    );
    assert.deepEqual(world.simulator.requests, [], "nothing was asked of the server");
    assert.deepEqual(await world.containers(), [], "nothing was launched");
  });

  it("an account key that sees several environments, without --environment: lists them, exit 2", async () => {
    const staging = world.simulator.addProject("Staging");
    const { accessKey, secretKey } = world.simulator.adminKey;
    const run = await world.cli(["up"], { RANCHER_ACCESS_KEY: accessKey, RANCHER_SECRET_KEY: secretKey });
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      withoutTimestamps(run.stderr),
      new RegExp(
        `^error: no environment given, and the API key can see several: Default \\(1a5\\), Staging \\(${staging.id}\\)\n {2}Pass --environment`,
        "m",
      ),
    );
    assert.doesNotMatch(run.stderr, /undefined/);
    assert.deepEqual(await world.containers(), [], "nothing was launched");
  });
});
