// An agent container that crash-loops for a reason of its own (here: the server's server-url setting names an address
// this machine cannot reach, so the agent's first request, GET /ping, fails and it exits 1, again and again under
// its restart policy): `up` notices it while it waits and ends early, exit 5, with the container's last lines,
// instead of waiting until --timeout for a node that will never come.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withoutTimestamps } from "../support/cli.js";
import { AGENT, e2e, useV3World } from "../support/e2e-v3.js";
import { docker } from "../support/testbed/engine.js";

const TIMEOUT_SECONDS = 300;

describe("up on Rancher 2.x with an agent that keeps exiting", { skip: e2e.skip }, () => {
  // Port 1 of the engine's bridge: nothing listens there, so the agent's connection is refused at once.
  const world = useV3World((testbed) => ({ serverUrl: `http://${testbed.bridgeIp}:1` }));

  it("ends the wait early, exit 5, naming the container's exit code, restarts and last lines", async () => {
    const cluster = world.cluster({ active: true });
    const started = Date.now();
    const run = await world.cli(["up", "--cluster", cluster.name, "--timeout", String(TIMEOUT_SECONDS)]);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.code, 5, run.stderr);
    const text = withoutTimestamps(run.stderr);
    assert.match(text, /the rancher-enroll-agent container keeps failing, so up stopped waiting/);
    assert.match(text, /container rancher-enroll-agent keeps exiting \(exit code 1, restarted \d+ times\)/);
    const said = /its last lines: (.*)$/m.exec(text)?.[1] ?? "";
    assert.match(said, /\/ping is not accessible/);
    assert.equal(
      new Set(said.split(" | ")).size,
      said.split(" | ").length,
      "each line once, not once per run",
    );
    const { token } = world.simulator.registrationTokens(cluster.id)[0]!;
    assert.ok(!run.stderr.includes(token), "the registration token stays masked");
    assert.ok(seconds < TIMEOUT_SECONDS / 3, `ended after ${seconds} s, long before --timeout`);
    const restarts = Number(await docker(world.testbed, ["inspect", "--format", "{{.RestartCount}}", AGENT]));
    assert.ok(restarts >= 3, `the engine restarted it ${restarts} times`);
    assert.deepEqual(world.simulator.nodes(cluster.id), [], "no node ever registered");
  });
});
