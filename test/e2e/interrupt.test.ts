// A command stopped by a signal (systemd stops a unit with SIGTERM) still gives one answer: with --output json,
// exactly one JSON object on stdout saying it was interrupted and in which phase; exit code 128 + the signal.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { waitFor } from "../support/testbed/wait.js";

describe("interrupted", { skip: e2e.skip }, () => {
  const world = useE2eWorld();

  it("SIGTERM while up waits for the host: one JSON object, the phase, exit 143, the lock released", async () => {
    world.simulator.faults.keepHostsFromActive(true);
    const { child, done } = world.startCli(["up", "--output", "json"]);
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor("up reaches confirm member", async () => /\[confirm member\]/.test(stderr), {
      timeoutMs: 60_000,
    });
    child.kill("SIGTERM");
    const run = await done;
    assert.equal(run.code, 143, run.stderr);
    const { ok, error } = run.json() as { ok: boolean; error: Record<string, unknown> };
    assert.equal(ok, false);
    assert.deepEqual(
      { ...error, hint: undefined },
      {
        kind: "interrupted",
        exitCode: 143,
        message: 'up was interrupted by SIGTERM in phase "confirm member"',
        hint: undefined,
        signal: "SIGTERM",
        phase: "confirm member",
      },
    );
    assert.match(String(error.hint), /^Nothing is rolled back/);
    world.simulator.faults.keepHostsFromActive(false);
    const again = await world.cli(["up", "--output", "json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /another rancher-enroll/);
  });
});
