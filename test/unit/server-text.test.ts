import assert from "node:assert/strict";
import { test } from "node:test";
import { printable, printableDeep, printableLines } from "../../src/rancher/server-text.js";

test("server text loses escape sequences, and control characters become spaces", () => {
  assert.equal(printable("\u001b[31mred\u001b[0m"), "red");
  assert.equal(printable("title\u001b]0;pwned\u0007 done"), "title done");
  assert.equal(printable('name\n{"ok":true}\r\u0000\u009b'), 'name {"ok":true}   ');
  assert.equal(printable("a\u202eb"), "a b");
  assert.equal(printable("Prod (1a5) é ✓"), "Prod (1a5) é ✓");
});

test("a result keeps its shape, its strings made printable; a message keeps its own lines", () => {
  assert.deepEqual(printableDeep({ a: ["x\ny", 1, null], b: { c: "\u001b[2Jz" } }), {
    a: ["x y", 1, null],
    b: { c: "z" },
  });
  assert.equal(printableLines("error: x\u001b[2J\n  hint\r"), "error: x\n  hint ");
});
