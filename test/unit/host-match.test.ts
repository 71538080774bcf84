import assert from "node:assert/strict";
import { test } from "node:test";
import type { Evidence, Member } from "../../src/flows/seam.js";
import { findOurHost as findMember } from "../../src/rancher/cattle/host-match.js";
import { hostResource, toMember } from "../../src/rancher/cattle/resources.js";

/** A host as the server answers it (nulls included), read as the driver reads it. */
function host(id: string, fields: Record<string, unknown> = {}): Member {
  const answer = {
    id,
    hostname: "node-3.example.internal",
    state: "active",
    agentState: "active",
    agentIpAddress: "10.0.0.3",
    agentId: "1a20",
    labels: {},
    created: "2026-11-28T10:00:00Z",
    transitioningMessage: null,
    ...fields,
  };
  return toMember(hostResource(answer, ""));
}

/** The evidence as the tests below spell it (1.6's words). */
interface HostEvidence extends Omit<Evidence, "names" | "address" | "knownIdentity"> {
  hostnames: string[];
  agentIp?: string;
  knownAgentId?: string;
}

function findOurHost(hosts: Member[], { hostnames, agentIp, knownAgentId, ...rest }: HostEvidence) {
  const evidence: Evidence = {
    ...rest,
    names: hostnames,
    ...(agentIp ? { address: agentIp } : {}),
    ...(knownAgentId ? { knownIdentity: knownAgentId } : {}),
  };
  const match = findMember(hosts, evidence);
  return match && { host: match.member, why: match.why };
}

const names = ["node-3.example.internal", "node-3"];
const stale = host("1h2", {
  state: "disconnected",
  agentState: "disconnected",
  created: "2026-01-01T00:00:00Z",
});

test("a same-named host that existed before launch is never taken for a new one", () => {
  const before = new Map([[stale.id, stale]]);
  assert.equal(findOurHost([stale], { hostnames: names, before }), undefined);
});

test("the host that appeared after launch wins over stale namesakes, newest first", () => {
  const before = new Map([[stale.id, stale]]);
  const fresh = host("1h9", { state: "activating", agentState: null, created: "2026-11-28T12:00:00Z" });
  const other = host("1h8", { hostname: "node-4", created: "2026-11-28T12:00:01Z" });
  assert.equal(findOurHost([stale, other, fresh], { hostnames: names, before })?.host.id, "1h9");
});

test("FQDN and short names match either way, case-insensitively", () => {
  const before = new Map<string, Member>();
  assert.equal(
    findOurHost([host("1h5", { hostname: "NODE-3" })], { hostnames: names, before })?.host.id,
    "1h5",
  );
  assert.equal(
    findOurHost([host("1h6", { hostname: "node-3.other" })], { hostnames: ["node-3"], before })?.host.id,
    "1h6",
  );
});

test("with an agent IP, a namesake at another address is not ours", () => {
  const before = new Map<string, Member>();
  const hosts = [host("1h7", { agentIpAddress: "10.0.0.99" })];
  assert.equal(findOurHost(hosts, { hostnames: names, agentIp: "10.0.0.3", before }), undefined);
  assert.equal(findOurHost(hosts, { hostnames: names, agentIp: "10.0.0.99", before })?.host.id, "1h7");
});

test("an existing host that was down and came back after launch is ours, but only if unambiguous", () => {
  const revived = host(stale.id, {
    state: "active",
    agentState: "active",
    created: "2026-01-01T00:00:00Z",
  });
  assert.equal(
    findOurHost([revived], { hostnames: names, before: new Map([[stale.id, stale]]) })?.host.id,
    "1h2",
  );
  const twin = host("1h3", { state: "reconnecting", agentState: "reconnecting" });
  const twins = [revived, host(twin.id, { state: "active", agentState: "active" })];
  const before = new Map([
    [stale.id, stale],
    [twin.id, twin],
  ]);
  assert.equal(findOurHost(twins, { hostnames: names, before }), undefined);
});

test("any host of the agent an earlier run confirmed is ours, whatever its id or name", () => {
  const recreated = host("1h40", { hostname: "renamed", agentId: "1a77" });
  const before = new Map([
    [recreated.id, recreated],
    [stale.id, stale],
  ]);
  const match = findOurHost([stale, recreated], { hostnames: names, before, knownAgentId: "1a77" });
  assert.equal(match?.host.id, "1h40");
});

test("after an interrupted run, the namesake created since its launch is ours; older ones are not", () => {
  const fromLaunch = host("1h41", { created: "2026-11-28T12:00:05Z" });
  const before = new Map([
    [fromLaunch.id, fromLaunch],
    [stale.id, stale],
  ]);
  const evidence = { hostnames: names, before, unconfirmedLaunchAt: "2026-11-28T12:00:00Z" };
  assert.equal(findOurHost([stale, fromLaunch], evidence)?.host.id, "1h41");
  assert.equal(
    findOurHost([stale, fromLaunch], { ...evidence, unconfirmedLaunchAt: "2026-11-28T13:00:00Z" }),
    undefined,
  );
});
