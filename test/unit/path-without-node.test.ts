import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { pathWithoutNode } from "../support/path-without-node.js";

const found = (command: string, path: string) =>
  spawnSync("/bin/sh", ["-c", `command -v ${command}`], { env: { PATH: path } }).status === 0;

test("the PATH for the single executable has no node, and the commands that the machine has", () => {
  const path = pathWithoutNode();
  assert.ok(found("node", process.env.PATH ?? ""), "this machine has node");
  for (const command of ["node", "nodejs", "npm", "npx"])
    assert.ok(!found(command, path), `${command} is found`);
  for (const command of ["sh", "cat", "hostname"]) assert.ok(found(command, path), `${command} is missing`);
});
