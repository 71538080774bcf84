// The README's exit codes and settings are what the code does: the tables operators and their scripts rely on are
// read from README.md and compared with the code's own tables (issue 13: the README for operators).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { EXIT_CODES, type ErrorKind } from "../../src/errors.js";
import { STATUS_EXIT_CODES } from "../../src/flows/result.js";
import { INTERRUPTED_EXIT_CODES } from "../../src/interrupt.js";
import { NODE_SETTING_NAMES, SETTING_NAMES, setting } from "../../src/config/setting-table.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** The rows of the first table after a heading: its cells, without the header and the separator line. */
function tableAfter(heading: string): string[][] {
  const section = README.slice(README.indexOf(`\n${heading}\n`));
  assert.ok(section.length < README.length, `the README has no "${heading}"`);
  const lines = section.split("\n");
  const start = lines.findIndex((line) => line.startsWith("|"));
  const end = lines.findIndex((line, index) => index > start && !line.startsWith("|"));
  return lines.slice(start + 2, end).map((line) =>
    line
      .replace(/\\\|/g, "/")
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
}

const unquoted = (cell: string) => cell.replace(/`/g, "");

describe("README", () => {
  describe("Troubleshooting", () => {
    const rows = tableAfter("## Troubleshooting");
    const kindOf = new Map(rows.map(([code, kind]) => [Number(code), unquoted(kind ?? "")]));

    it("has a row, with its kind, for every exit code an error kind maps to", () => {
      for (const [kind, code] of Object.entries(EXIT_CODES) as [ErrorKind | "ok", number][])
        assert.equal(kindOf.get(code), kind, `exit code ${code}`);
    });

    it("lists exactly the exit codes the code has: the errors', status's and the interruptions'", () => {
      const codes = [
        ...Object.values(EXIT_CODES),
        ...Object.values(STATUS_EXIT_CODES),
        ...Object.values(INTERRUPTED_EXIT_CODES),
      ];
      assert.deepEqual(
        [...kindOf.keys()].sort((a, b) => a - b),
        [...new Set(codes)].sort((a, b) => a - b),
      );
    });

    it("says what to check for every failure", () => {
      for (const [code, , meaning, check] of rows) {
        assert.ok(meaning, `exit code ${code}: what it means`);
        if (Number(code) !== EXIT_CODES.ok) assert.ok(check, `exit code ${code}: what to check`);
      }
    });
  });

  describe("Settings", () => {
    const rows = tableAfter("### Settings").map(([, flags = "", variable = "", key = "", line = ""]) => ({
      flags: [...flags.matchAll(/`(-[-a-z]+)[^`]*`/g)].map((match) => match[1]),
      variable: unquoted(variable),
      key: /`([a-z_]+)`/.exec(key)?.[1] ?? "",
      line,
    }));

    it("documents every setting with its flag, variable and profile key", () => {
      for (const name of SETTING_NAMES) {
        const item = setting(name);
        const row = rows.find(({ flags }) => flags.includes(item.flag));
        assert.ok(row, `no row for ${item.flag}`);
        if (item.shortFlag) assert.ok(row.flags.includes(item.shortFlag), `${item.flag}: ${item.shortFlag}`);
        assert.equal(row.variable, item.env ?? "", `${item.flag}: its variable`);
        assert.equal(row.key, item.key, `${item.flag}: its profile key`);
      }
    });

    it("documents no flag the code does not have", () => {
      const known = new Set(SETTING_NAMES.flatMap((name) => [setting(name).flag, setting(name).shortFlag]));
      known.add("--profile");
      for (const flag of rows.flatMap((row) => row.flags))
        assert.ok(known.has(flag), `${flag} is not a setting`);
    });

    it("marks the 2.x node settings as 2.x", () => {
      for (const name of NODE_SETTING_NAMES) {
        const row = rows.find(({ flags }) => flags.includes(setting(name).flag));
        assert.equal(row?.line, "2.x", setting(name).flag);
      }
    });
  });
});
