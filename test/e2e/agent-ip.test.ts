// Which IP the host registers: --agent-interface, its validation before anything is launched, and what up says
// when neither --agent-ip nor --agent-interface is given.
import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { describe, it } from "node:test";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { mustRun, runCommand } from "../support/testbed/command.js";

describe("the agent IP", { skip: e2e.skip }, () => {
  const world = useE2eWorld();

  function interfaceHolding(address: string): string {
    const found = Object.entries(networkInterfaces()).find(([, addresses]) =>
      addresses?.some((a) => a.address === address),
    );
    assert.ok(found, `no interface holds ${address}`);
    return found[0];
  }

  it("--agent-interface registers that interface's IPv4 address", async () => {
    const bridge = interfaceHolding(world.testbed.bridgeIp);
    const run = await world.cli(["up", "-o", "json", "--agent-interface", bridge]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((run.json().host as { agentIpAddress: string }).agentIpAddress, world.testbed.bridgeIp);
    assert.match(
      run.stderr,
      new RegExp(`the agent will register ${world.testbed.bridgeIp.replace(/\./g, "\\.")}`),
    );
  });

  const refused: [string, string[], RegExp][] = [
    [
      "a loopback interface",
      ["--agent-interface", "lo"],
      /invalid agent IP "127\.0\.0\.1": a loopback address/,
    ],
    [
      "an unknown interface",
      ["--agent-interface", "nosuch0"],
      /no network interface named "nosuch0"; this machine has: .*lo/,
    ],
    [
      "both ways at once",
      ["--agent-interface", "lo", "--agent-ip", "10.0.0.1"],
      /both an agent IP and an agent interface/,
    ],
  ];
  for (const [name, args, message] of refused) {
    it(`refuses ${name} before contacting or launching anything`, async () => {
      const run = await world.cli(["up", ...args]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(world.requests("GET").length + world.requests("POST").length, 0);
      assert.deepEqual(await world.containers(), []);
    });
  }

  it("says that an interface which exists is down, rather than that it does not exist", async (t) => {
    await mustRun("ip", ["link", "add", "rtestdown0", "type", "veth", "peer", "name", "rtestdown1"]);
    t.after(() => runCommand("ip", ["link", "delete", "rtestdown0"]));
    const run = await world.cli(["up", "--agent-interface", "rtestdown0"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /network interface "rtestdown0" is down \(no carrier\) or has no IPv4 address/);
    assert.deepEqual(await world.containers(), []);
  });

  it("without either, says which address the server sees and where the default route goes", async () => {
    const run = await world.cli(["up", "--dry-run"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /no agent IP given: the agent will register the address the server sees, \d+\.\d+\.\d+\.\d+; (the default route is on \S+ \(\d+\.\d+\.\d+\.\d+\)|this machine has no default route)/,
    );
  });
});
