// The Rancher 2.x driver's decisions that need no server: the CA checksum, which registration token to use,
// when a node counts as ready, which roles a cluster lacks, and which node is ours.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Evidence, Member } from "../../src/flows/seam.js";
import { EnrollError } from "../../src/errors.js";
import { caChecksum, checkCommandChecksum } from "../../src/rancher/v3/ca-checksum.js";
import type { V3Client } from "../../src/rancher/v3/client.js";
import { identifyNode } from "../../src/rancher/v3/node-match.js";
import { missingRoles, toMember } from "../../src/rancher/v3/nodes.js";
import type { NodeResource, TokenResource } from "../../src/rancher/v3/resources.js";
import { chooseToken } from "../../src/rancher/v3/tokens.js";

describe("the CA checksum", () => {
  it("is the SHA-256 of the cacerts setting with exactly one trailing newline, as the agent computes it", () => {
    // sha256sum of "abc\n"
    const expected = "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb";
    assert.equal(caChecksum("abc"), expected);
    assert.equal(caChecksum("abc\n"), expected);
  });
});

describe("the node command's CA checksum, before launching", () => {
  const serverWith = (cacerts: string) => ({ setting: async () => cacerts }) as unknown as V3Client;
  const pinned = caChecksum("the CA the cluster was created with");

  it("a server whose CA changed since the command was written: refused with both values and the likely cause", async () => {
    await assert.rejects(
      checkCommandChecksum(serverWith("a new CA"), { caChecksum: pinned }),
      (error: EnrollError) =>
        error.kind === "server" &&
        error.message.includes(caChecksum("a new CA")) &&
        error.message.includes(pinned) &&
        /changed after the cluster's registration command was written/.test(error.hint ?? ""),
    );
  });

  it("a server that publishes no CA any more is refused; a matching one, or no checksum, passes", async () => {
    await assert.rejects(checkCommandChecksum(serverWith(""), { caChecksum: pinned }), /publishes no CA/);
    await checkCommandChecksum(serverWith("the CA the cluster was created with\n"), { caChecksum: pinned });
    await checkCommandChecksum(serverWith("anything"), {});
  });
});

const command = "sudo docker run -d rancher/rancher-agent:v2.8.15 --server https://r --token t";
function token(name: string, extra: Partial<TokenResource> = {}): TokenResource {
  return {
    id: `c-1:${name}`,
    name,
    token: "t",
    nodeCommand: command,
    created: "2025-01-01T00:00:00Z",
    ...extra,
  };
}

describe("choosing the registration token", () => {
  it("reuses default-token before older tokens, and any usable token before waiting", () => {
    const older = token("crt-aaaaa", { created: "2024-01-01T00:00:00Z" });
    assert.equal(chooseToken([older, token("default-token")]).reuse?.name, "default-token");
    const pending = token("default-token", { nodeCommand: "" });
    assert.equal(chooseToken([pending, older]).reuse?.name, "crt-aaaaa");
  });

  it("waits for a token whose node command is not written yet rather than creating one", () => {
    const choice = chooseToken([token("default-token", { nodeCommand: "" })]);
    assert.deepEqual([choice.reuse, choice.waitFor?.name], [undefined, "default-token"]);
  });

  it("uses Rancher's own system token only when nothing else is there, and never one being removed", () => {
    assert.equal(chooseToken([token("system")]).reuse?.name, "system");
    assert.deepEqual(chooseToken([token("default-token", { state: "removing" })]), {});
  });
});

function node(extra: Partial<NodeResource>): NodeResource {
  return { id: "c-1:m-1", requestedHostname: "Node-01", etcd: true, worker: true, ...extra };
}

describe("a node's readiness", () => {
  it("an active node without conditions is not ready: the state alone reads active before any condition", () => {
    const member = toMember(node({ state: "active", nodeName: "node-01" }));
    assert.equal(member.ready, false);
    assert.match(member.waiting ?? "", /Registered: not reported yet; Ready: not reported yet/);
  });

  it("ready needs state active, a Kubernetes node name, Registered and Ready true", () => {
    const conditions = [
      { type: "Registered", status: "True" },
      { type: "Ready", status: "True" },
    ];
    const member = toMember(node({ state: "active", nodeName: "node-01", conditions }));
    assert.deepEqual([member.ready, member.registered, member.waiting], [true, true, undefined]);
    assert.deepEqual(member.view.roles, ["etcd", "worker"]);
    assert.equal(member.name, "node-01", "names are lower-cased as Rancher keeps them");
  });

  it("says which conditions are not true, with the server's message", () => {
    const member = toMember(
      node({
        state: "registering",
        conditions: [
          { type: "Registered", status: "Unknown", message: "waiting to register with Kubernetes" },
        ],
      }),
    );
    assert.equal(
      member.waiting,
      "Registered: Unknown (waiting to register with Kubernetes); Ready: not reported yet",
    );
  });

  it("the roles no live node holds are missing", () => {
    const nodes = [node({ etcd: true, worker: false }), node({ controlPlane: true, state: "removing" })];
    assert.deepEqual(missingRoles(nodes.map(toMember)), ["controlplane", "worker"]);
  });
});

function member(id: string, extra: Partial<Member> = {}): Member {
  return {
    id,
    name: "node-01",
    state: "registering",
    address: "10.0.0.11",
    created: "2025-01-01T00:00:00Z",
    identity: null,
    registered: false,
    ready: false,
    view: { id, state: "registering" },
    ...extra,
  };
}

describe("finding our node", () => {
  const evidence = (before: Member[], extra: Partial<Evidence> = {}): Evidence => ({
    names: ["node-01"],
    address: "10.0.0.11",
    before: new Map(before.map((m) => [m.id, m])),
    ...extra,
  });

  it("a node of our name and address that appeared after the launch is ours", () => {
    const match = identifyNode([member("c-1:m-1")], evidence([]));
    assert.equal(match?.member.id, "c-1:m-1");
  });

  it("never a same-named node that was there before the launch, nor one with another address", () => {
    const stale = member("c-1:m-1", { state: "active", ready: true });
    assert.equal(identifyNode([stale], evidence([stale])), undefined);
    assert.equal(identifyNode([member("c-1:m-2", { address: "10.0.0.99" })], evidence([])), undefined);
  });

  it("a node created after an interrupted earlier launch is ours", () => {
    const earlier = member("c-1:m-1", { created: "2025-01-01T00:00:10Z" });
    const match = identifyNode(
      [earlier],
      evidence([earlier], { unconfirmedLaunchAt: "2025-01-01T00:00:05Z" }),
    );
    assert.equal(match?.member.id, "c-1:m-1");
  });
});
