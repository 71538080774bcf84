// systemd/: `systemd-analyze verify` finds nothing to say about the unit (on a scratch machine where the command it
// starts exists), and the unit is what boot-time enrollment needs: a oneshot after Docker and the network, retried.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { machineEnv, missingTools, notRoot } from "../support/integrations.js";
import { ScratchMachine } from "../support/scratch-machine.js";
import { directives, UNIT_FILE, UNIT_PATH } from "../support/systemd-unit.js";

const skip = notRoot || (await missingTools("systemd-analyze"));

describe("systemd unit", { skip }, () => {
  const unit = readFileSync(UNIT_FILE, "utf8");

  it("passes `systemd-analyze verify` without a warning", async () => {
    const machine = await ScratchMachine.create();
    try {
      await machine.write("/usr/local/bin/rancher-enroll", "#!/bin/sh\n", 0o755);
      await machine.write(UNIT_PATH, unit);
      const result = await machine.run("systemd-analyze", ["verify", UNIT_PATH], machineEnv());
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
    } finally {
      await machine.dispose();
    }
  });

  it("is a oneshot `up`, after docker.service and network-online.target, restarted on failure", () => {
    const unitDirectives = directives(unit);
    const values = (name: string) => unitDirectives.get(name) ?? [];
    assert.deepEqual(values("Type"), ["oneshot"]);
    assert.deepEqual(values("ExecStart").slice(0, 2), ["/usr/local/bin/rancher-enroll", "up"]);
    for (const after of ["docker.service", "network-online.target"])
      assert.ok(values("After").includes(after));
    assert.ok(values("Wants").includes("network-online.target"));
    // An RKE2/K3s machine has no docker.service: required, it would keep the unit from ever starting there.
    assert.ok(values("Wants").includes("docker.service"));
    assert.deepEqual(values("Requires"), []);
    assert.deepEqual(values("Restart"), ["on-failure"]);
    assert.deepEqual(values("WantedBy"), ["multi-user.target"]);
  });
});
