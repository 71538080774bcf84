// Each command's options come from the settings table: `settings` accepts every setting it lists (those of up),
// and up accepts the same.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SETTINGS } from "../../src/commands/settings.js";
import { builtCommand } from "../../src/commands/spec.js";
import { UP } from "../../src/commands/up.js";
import { setting, UP_SETTING_NAMES } from "../../src/config/setting-table.js";

describe("options from the settings table", () => {
  for (const command of [builtCommand(SETTINGS), builtCommand(UP)]) {
    it(`${command.name()} accepts every setting that settings lists`, () => {
      const flags = new Set(command.options.map((option) => option.long));
      const missing = UP_SETTING_NAMES.map((name) => setting(name).flag).filter((flag) => !flags.has(flag));
      assert.deepEqual(missing, []);
    });
  }

  it("settings parses --agent-interface and --wait-for-docker (once unknown options)", () => {
    const command = builtCommand(SETTINGS)
      .exitOverride()
      .action(() => undefined);
    command.parse(["--agent-interface", "eth0", "--wait-for-docker", "5"], { from: "user" });
    assert.deepEqual(command.opts(), { agentInterface: "eth0", waitForDocker: "5" });
  });
});
