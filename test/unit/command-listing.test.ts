// The CLI builds only the commands its command line names (src/commands/program.ts): `--help` lists the others from
// their specs, and must read exactly as it does with every command built.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Help } from "commander";
import { buildProgram, COMMANDS } from "../../src/commands/program.js";
import { builtCommand, listedTerm } from "../../src/commands/spec.js";

const help = (args: string[]) => buildProgram(args).helpInformation();
const names = COMMANDS.map((spec) => spec.name);

describe("commands built only when named", () => {
  it("--help lists each command as commander lists it built (its name, [options] when it has any)", () => {
    for (const spec of COMMANDS)
      assert.equal(listedTerm(spec), new Help().subcommandTerm(builtCommand(spec)), spec.name);
  });

  it("--help reads the same with no command built as with every command built", () => {
    assert.equal(help(["--help"]), help([...names, "--help"]));
    assert.match(help(["--help"]), /^ {2}up \[options\] +register this machine/m);
  });

  it("builds the command named, and only that one", () => {
    const built = buildProgram(["--output", "json", "status", "--timeout", "5"]).commands.filter(
      (command) => command.options.length > 0,
    );
    assert.deepEqual(
      built.map((command) => command.name()),
      ["status"],
    );
  });

  it("a command's own help is the built command's, with its examples and exit codes", () => {
    for (const name of names) {
      const command = buildProgram([name, "--help"]).commands.find((c) => c.name() === name)!;
      const text = command.helpInformation();
      assert.match(text, new RegExp(`^Usage: rancher-enroll ${name} `), name);
      if (name !== "profiles") assert.match(text, /^Options:\n/m, name);
    }
  });
});
