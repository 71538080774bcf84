// At boot Docker may not be up yet: up waits for the engine (--wait-for-docker), then proceeds.
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { e2e, useE2eWorld } from "../support/e2e.js";

/** A socket that answers for the engine only once started, as a daemon still starting would. */
function lateEngine(enginePath: string, path: string): { start(): void; stop(): Promise<void> } {
  const relay: Server = createServer((client) => {
    const engine = connect(enginePath);
    client.pipe(engine).pipe(client);
    engine.on("error", () => client.destroy());
    client.on("error", () => engine.destroy());
  });
  return {
    start: () => void relay.listen(path),
    stop: async () => {
      await new Promise<void>((resolve) => (relay.listening ? relay.close(() => resolve()) : resolve()));
      await rm(path, { force: true });
    },
  };
}

describe("up at boot", { skip: e2e.skip }, () => {
  const world = useE2eWorld();

  it("waits for a Docker engine that comes up late, then enrolls", async () => {
    const path = join(world.stateDir, "late-docker.sock");
    const engine = lateEngine(world.testbed.dockerHost.replace(/^unix:\/\//, ""), path);
    try {
      const cli = world.startCli(["up", "-o", "json", "--wait-for-docker", "30"], {
        DOCKER_HOST: `unix://${path}`,
      });
      // The engine comes up once up says, at once, that it waits for it.
      cli.child.stderr?.on("data", (chunk: Buffer) => {
        if (/waiting for it until/.test(chunk.toString())) engine.start();
      });
      const run = await cli.done;
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /the socket \S+ does not exist; waiting for it until \d\d:\d\d:\d\d \(--wait-for-docker 30\)/,
      );
      assert.equal((run.json().host as { state: string }).state, "active");
    } finally {
      await engine.stop();
    }
  });

  it("waits no longer than --timeout, which bounds the whole command", async () => {
    const started = Date.now();
    const run = await world.cli(["up", "--timeout", "3"], {
      DOCKER_HOST: `unix://${join(world.stateDir, "never.sock")}`,
    });
    assert.equal(run.code, 5, run.stderr);
    assert.ok(Date.now() - started < 8000, `gave up after ${Date.now() - started} ms`);
  });

  it("gives up after --wait-for-docker with what it tried, before asking the server anything", async () => {
    const path = join(world.stateDir, "never.sock");
    const started = Date.now();
    const run = await world.cli(["up", "--wait-for-docker", "2"], { DOCKER_HOST: `unix://${path}` });
    assert.equal(run.code, 5, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `there is no Docker engine at unix://${path}: the socket ${path} does not exist \\(waited 2 s, \\d+ attempts\\)`,
      ),
    );
    assert.ok(Date.now() - started >= 2000);
    assert.equal(world.requests("GET").length + world.requests("POST").length, 0);
  });
});
