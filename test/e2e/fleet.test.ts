// A fleet booting together, end to end: a few machines, each a private Docker engine (its own /var/lib/rancher,
// hence its own agent identity) with its own rancher-enroll state and all with this machine's hostname, run `up` at
// the same moment against an environment that has no registration token; each pulls the agent image from the test
// registry. `npm run bench:fleet` does the same with 50 machines and counts the requests.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { startFleet, upEverywhere, type Fleet } from "../support/fleet.js";
import { abortOnInterrupt, type Interrupt } from "../support/interrupt.js";

const MACHINES = 4;

describe("a fleet booting together", { skip: e2e.skip }, () => {
  const world = useE2eWorld();
  let interrupt: Interrupt;
  let fleet: Fleet | undefined;

  before(async () => {
    interrupt = abortOnInterrupt();
    fleet = await startFleet({ size: MACHINES, signal: interrupt.signal });
  });
  after(async () => {
    await fleet?.stop();
    interrupt.release();
  });

  it(`enrolls ${MACHINES} machines at once, each as its own host, with one registration token`, async () => {
    const simulator = await world.simulate({ agentImage: world.testbed.registryAgentImage });
    const ups = await upEverywhere(fleet!.machines, {
      env: () => world.env(),
      timeoutMs: 120_000,
      signal: interrupt.signal,
    });

    for (const { machine, run } of ups) assert.equal(run.code, 0, `machine ${machine.index}:\n${run.stderr}`);
    const hosts = simulator.hosts("1a5");
    assert.deepEqual(
      hosts.map((host) => host.state),
      Array<string>(MACHINES).fill("active"),
      "one active host per machine, no other",
    );
    for (const { machine, run } of ups) {
      const own = hosts.filter((host) => host.agentIpAddress === machine.agentIp);
      assert.equal(own.length, 1, `one host at ${machine.agentIp}`);
      assert.equal(
        (run.json().host as { id: string }).id,
        own[0]!.id,
        `machine ${machine.index} names its own host`,
      );
    }

    const left = simulator.tokens("1a5").filter((token) => !["removed", "purged"].includes(token.state));
    assert.equal(left.length, 1, `tokens left: ${JSON.stringify(left.map((t) => [t.id, t.state]))}`);
    for (const { run } of ups)
      assert.equal(
        (run.json().registration as { id: string }).id,
        left[0]!.id,
        "every machine used that token",
      );
  });
});
