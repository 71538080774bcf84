import assert from "node:assert/strict";
import { test } from "node:test";
import {
  parseCaChecksum,
  parseNodeName,
  parseRoles,
  parseTaints,
  parseWaitFor,
} from "../../src/config/node-options.js";
import { EnrollError } from "../../src/errors.js";

const usage = (pattern: RegExp) => (error: unknown) =>
  error instanceof EnrollError && error.kind === "usage" && pattern.test(error.message);

test("roles: repeated or comma-separated, in Rancher's order, nothing else", () => {
  assert.deepEqual(parseRoles("worker,ETCD, controlplane,worker", "--role"), [
    "etcd",
    "controlplane",
    "worker",
  ]);
  assert.throws(
    () => parseRoles("etcd,master", "--role"),
    usage(/^--role must be etcd, controlplane or worker/),
  );
  assert.throws(() => parseRoles(" , ", "roles"), usage(/^roles must be/));
});

test("node name: a DNS name once lower-cased, kept as given (the agent says when it lower-cases it)", () => {
  assert.equal(parseNodeName(" Web-01.Example ", "--node-name"), "Web-01.Example");
  for (const bad of ["web_01", "-web", "web-", "a..b", ""]) {
    assert.throws(() => parseNodeName(bad, "--node-name"), usage(/^--node-name must be a DNS name/));
  }
});

test("taints: KEY=VALUE:EFFECT or KEY:EFFECT with one of the three effects", () => {
  assert.deepEqual(parseTaints("dedicated=infra:NoSchedule,example.com/gpu:NoExecute", "taints"), [
    "dedicated=infra:NoSchedule",
    "example.com/gpu:NoExecute",
  ]);
  assert.throws(() => parseTaints("a=b:Never", "--taint"), usage(/^--taint: invalid taint "a=b:Never"$/));
  assert.throws(() => parseTaints("a=b", "--taint"), usage(/invalid taint "a=b"/));
});

test("wait-for and the CA checksum", () => {
  assert.equal(parseWaitFor("Registered", "--wait-for"), "registered");
  assert.throws(() => parseWaitFor("ready", "--wait-for"), usage(/^--wait-for must be registered or active/));
  assert.equal(parseCaChecksum(` ${"AB".repeat(32)}\n`, "--ca-checksum"), "ab".repeat(32));
  assert.throws(
    () => parseCaChecksum("abc", "RANCHER_CA_CHECKSUM"),
    usage(/^RANCHER_CA_CHECKSUM must be 64/),
  );
});
