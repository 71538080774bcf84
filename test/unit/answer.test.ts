// --output read from the command line before commander, for the JSON answer to a usage error.
import assert from "node:assert/strict";
import { it } from "node:test";
import { requestedOutput } from "../../src/answer.js";

it("reads --output in each spelling, the last one winning, text otherwise", () => {
  const cases: [string[], string][] = [
    [["up", "--output", "json"], "json"],
    [["-o", "json", "up", "--bogus"], "json"],
    [["up", "--output=json"], "json"],
    [["up", "-ojson"], "json"],
    [["up", "-o=json"], "json"],
    [["up", "-o", "json", "-o", "text"], "text"],
    [["up", "--output"], "text"],
    [["up", "--log-format", "json"], "text"],
  ];
  for (const [args, format] of cases) assert.equal(requestedOutput(args), format, args.join(" "));
});
