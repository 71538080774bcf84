// The scratch machines of the integration tests start as a fresh machine does: without rancher-enroll's own config
// and state, even where this machine has them (issue 13: a leftover enrollment record or lock broke the Ansible test).
// This machine is never touched: a scratch machine that has them stands in for it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { machineEnv, notRoot } from "../support/integrations.js";
import { ScratchMachine, TOOL_FOLDERS } from "../support/scratch-machine.js";
import type { CommandResult } from "../support/testbed/command.js";

const PROBE = fileURLToPath(new URL("scratch-machine-probe.ts", import.meta.url));
const LIST_TOOL_FOLDERS = `for f in ${TOOL_FOLDERS.join(" ")}; do [ -e "$f" ] && find "$f"; done; cat /etc/probe-marker`;

describe("scratch machine", { skip: notRoot }, () => {
  it("hides this machine's rancher-enroll config and state, and keeps what an image left", async () => {
    const host = await ScratchMachine.create();
    try {
      const leftovers = await host.sh(
        `mkdir -p /var/lib/rancher-enroll/lock /etc/rancher-enroll
        echo '{}' > /var/lib/rancher-enroll/enrollment.json
        echo '[default]' > /etc/rancher-enroll/config
        echo this-machine > /etc/probe-marker`,
        machineEnv(),
      );
      assert.equal(leftovers.code, 0, leftovers.stderr);
      const inImage = `mkdir -p /var/lib/rancher-enroll && echo image > /var/lib/rancher-enroll/image-file`;
      const probe = await host.run(
        process.execPath,
        ["--import", "tsx", PROBE, `${inImage}; ${LIST_TOOL_FOLDERS}`, LIST_TOOL_FOLDERS],
        machineEnv(),
      );
      assert.equal(probe.code, 0, probe.stderr);
      const { fresh, fromImage } = JSON.parse(probe.stdout) as {
        fresh: CommandResult;
        fromImage: CommandResult;
      };
      // The marker proves the probe saw this (stand-in) machine's files; the tool's folders are not among them.
      assert.deepEqual(lines(fresh), [
        "/var/lib/rancher-enroll",
        "/var/lib/rancher-enroll/image-file",
        "this-machine",
      ]);
      assert.deepEqual(lines(fromImage), lines(fresh));
    } finally {
      await host.dispose();
    }
  });

  it("writes a file into a hidden folder, which then holds that file only", async () => {
    const machine = await ScratchMachine.create();
    try {
      await machine.write("/etc/rancher-enroll/config", "[default]\n", 0o600);
      const seen = await machine.sh(
        "find /etc/rancher-enroll; stat -c %a /etc/rancher-enroll/config",
        machineEnv(),
      );
      assert.deepEqual(lines(seen), ["/etc/rancher-enroll", "/etc/rancher-enroll/config", "600"]);
      assert.equal(await machine.read("/etc/rancher-enroll/config"), "[default]\n");
    } finally {
      await machine.dispose();
    }
  });
});

function lines(result: CommandResult): string[] {
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim().split("\n");
}
