// Secrets leak nowhere we can look, with every log line on (--log-level debug, every field in JSON), when `up` succeeds and when it fails:
// stdout (the JSON result or error), stderr (logs and messages), our state folder, and everything Docker knows of
// each container started (environment, entrypoint, arguments: the whole `docker inspect`). rancher-enroll starts
// no process of its own (the Docker engine and the server's API are spoken to in-process), so the arguments of
// what it starts are those containers' arguments; its own command line carries no secret (the keys come from
// variables here). The API secret key, and the basic-auth header made of it, appear nowhere. The registration
// token appears only where the agent needs it, the bootstrap container's argument, and masked in our logs.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { describe, it } from "node:test";
import type Docker from "dockerode";
import { watchContainerStarts } from "../support/container-watch.js";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { Hostile, type Handler } from "../support/hostile-server.js";
import { freePort } from "../support/testbed/net.js";

const ROLE = "io.rancher-enroll.role";

describe("secrets", { skip: e2e.skip }, () => {
  const world = useE2eWorld();

  /** Runs `up` with debug logs and answers every place a secret could have gone, by name. */
  async function capture(overrides: Record<string, string> = {}, args: string[] = []) {
    const watch = await watchContainerStarts();
    const run = await world.cli(
      ["up", "--log-level", "debug", "--log-format", "json", "--output", "json", ...args],
      overrides,
    );
    watch.stop();
    const stateFiles = await readdir(world.stateDir);
    const places: Record<string, string> = { stdout: run.stdout, stderr: run.stderr };
    for (const file of stateFiles)
      places[`state ${file}`] = await readFile(join(world.stateDir, file), "utf8");
    for (const container of watch.started)
      places[`container ${nameOf(container)}`] = JSON.stringify(container);
    return { run, places, containers: watch.started };
  }

  const nameOf = (container: Docker.ContainerInspectInfo) =>
    `${container.Name} (${container.Config.Labels?.[ROLE] ?? container.Args.join(" ")})`;

  function assertNowhere(places: Record<string, string>, secret: string, what: string): void {
    assert.ok(secret.length >= 8, `${what} is a real value`);
    for (const [place, text] of Object.entries(places))
      assert.ok(!text.includes(secret), `${what} in ${place}`);
  }

  function assertKeyNowhere(places: Record<string, string>, accessKey: string, secretKey: string): void {
    assertNowhere(places, secretKey, "the secret key");
    assertNowhere(
      places,
      Buffer.from(`${accessKey}:${secretKey}`).toString("base64"),
      "the basic-auth header",
    );
  }

  it("up succeeds: the key nowhere, the token only in the bootstrap container's argument", async () => {
    const { run, places, containers } = await capture();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /"msg":"api request"/, "debug logs were on");
    const { accessKey, secretKey } = world.simulator.environmentKey;
    assertKeyNowhere(places, accessKey, secretKey);

    const token = world.simulator.tokens("1a5")[0]!.token!;
    const bootstrap = containers.find((c) => c.Config.Labels?.[ROLE] === "bootstrap");
    assert.ok(bootstrap, "the bootstrap container was seen");
    assert.ok(bootstrap.Args[0]!.includes(token), "the agent gets the token in its argument");
    const withoutArgument = { ...bootstrap, Args: [], Config: { ...bootstrap.Config, Cmd: [] } };
    assertNowhere(
      { ...places, [`container ${nameOf(bootstrap)}`]: JSON.stringify(withoutArgument) },
      token,
      "the registration token",
    );
    assert.ok(run.stderr.includes(`${token.slice(0, 4)}…(masked)`), "logged masked");
  });

  it("the server rejects the key: the secret stays out of the message and the JSON error", async () => {
    const secretKey = "wrong-secret-0123456789abcdef";
    const { run, places } = await capture({ RANCHER_SECRET_KEY: secretKey });
    assert.equal(run.code, 3, run.stderr);
    assert.equal((run.json() as { error: { kind: string } }).error.kind, "auth");
    assertKeyNowhere(places, world.simulator.environmentKey.accessKey, secretKey);
  });

  it("the server cannot be reached: the failure detail logged holds no secret", async () => {
    await world.stopSimulator();
    const { run, places } = await capture({}, ["--timeout", "3"]);
    assert.equal(run.code, 8, run.stderr);
    assert.match(run.stderr, /"msg":"failure detail"/);
    const { accessKey, secretKey } = world.simulator.environmentKey;
    assertKeyNowhere(places, accessKey, secretKey);
  });

  it("the agent fails: its quoted output, the message and the containers hold no secret", async () => {
    // A Host Registration URL (api.host) nothing answers at: the agent gives up after its retries.
    await world.simulate({
      publicUrl: `http://${world.testbed.bridgeIp}:${await freePort(world.testbed.bridgeIp)}`,
    });
    const { run, places } = await capture();
    assert.equal(run.code, 6, run.stderr);
    assert.match((run.json() as { error: { message: string } }).error.message, /Could not reach/);
    const { accessKey, secretKey } = world.simulator.environmentKey;
    assertKeyNowhere(places, accessKey, secretKey);
    const token = world.simulator.tokens("1a5")[0]!.token!;
    assertNowhere({ stdout: run.stdout, stderr: run.stderr }, token, "the registration token");
  });

  it("a server that is not the Rancher API: the key nowhere, at every log level and for every kind of error", async () => {
    const hostile = await new Hostile(createServer()).listen("http");
    const answers: Record<string, Handler> = {
      "a login page": (_, response) => response.end("<html>sign in</html>"),
      "a redirect": (_, response) => {
        response.writeHead(302, { location: "http://127.0.0.1:9/login" });
        response.end();
      },
      "an error that is not Rancher's": (_, response) => {
        response.writeHead(500, { "content-type": "text/html" });
        response.end("<h1>bad gateway</h1>");
      },
    };
    const { accessKey, secretKey } = world.simulator.environmentKey;
    try {
      for (const [what, handler] of Object.entries(answers)) {
        for (const level of ["debug", "info", "warn", "error"]) {
          hostile.reset(handler);
          const run = await world.cli(["up", "--log-level", level, "--output", "json", "--timeout", "6"], {
            RANCHER_URL: hostile.url,
          });
          assert.equal(run.code, 8, `${what}, ${level}: ${run.stderr}`);
          assert.equal(hostile.seen[0]?.authorization?.startsWith("Basic "), true);
          assertKeyNowhere({ stdout: run.stdout, stderr: run.stderr }, accessKey, secretKey);
        }
      }
    } finally {
      hostile.close();
    }
  });

  it("--dry-run shows the agent's command with the proxy's password masked", async () => {
    const { accessKey, secretKey } = world.simulator.environmentKey;
    const created = await fetch(`${world.simulator.url}/v2-beta/projects/1a5/registrationtokens`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${accessKey}:${secretKey}`).toString("base64")}` },
    });
    assert.equal(created.status, 201);
    while (world.simulator.tokens("1a5")[0]?.state !== "active") await new Promise((r) => setTimeout(r, 100));
    const password = "pr0xy-S3cret-pw";
    // Our API calls go direct (NO_PROXY); the variables are still passed on to the agent's containers.
    const proxyVariables = {
      HTTP_PROXY: `http://ops:${password}@127.0.0.1:9`,
      NO_PROXY: new URL(world.simulator.url).hostname,
    };
    for (const output of ["text", "json"]) {
      const run = await world.cli(["up", "--dry-run", "--output", output], proxyVariables);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /HTTP_PROXY=http:\/\/ops:\*\*\*@127\.0\.0\.1:9/, "the command is shown");
      assertNowhere({ stdout: run.stdout, stderr: run.stderr }, password, "the proxy password");
    }
  });
});
