// The Rancher 2.x (v3, RKE1) server driver against the v3 simulator: finding the cluster, the registration
// token (reuse, one creation per fleet, the delayed node command), cluster-scoped tokens, nodes (all pages,
// readiness, why not ready, removal).
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { pino } from "pino";
import { Deadline } from "../../src/deadline.js";
import { EnrollError } from "../../src/errors.js";
import type { Target } from "../../src/flows/seam.js";
import { ApiClient } from "../../src/rancher/http.js";
import { V3Client } from "../../src/rancher/v3/client.js";
import { V3Driver } from "../../src/rancher/v3/driver.js";
import { obtainJoin, rke1Join } from "../../src/rancher/v3/tokens.js";
import type { ApiToken, V3Simulator, V3SimulatorOptions } from "../support/simulator/v3/index.js";
import { connectAgent, startFastV3 } from "../simulator/v3-helpers.js";

const log = pino({ level: "silent" });

function driverOf(sim: V3Simulator, token: ApiToken = sim.adminToken, seconds = 20): V3Driver {
  const keys = { accessKey: token.accessKey, secretKey: token.secretKey };
  return new V3Driver(new ApiClient(sim.url, keys, log, new Deadline(seconds)), log);
}

const failsWith = (kind: EnrollError["kind"], message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof EnrollError, String(error));
  assert.equal(error.kind, kind, error.message);
  assert.match(error.message, message);
  return true;
};

const cluster = (word: "cluster" | "environment", nameOrId: string) => ({ nameOrId, word });

describe("v3 driver: finding the cluster", () => {
  let sim: V3Simulator;
  before(async () => {
    sim = await startFastV3();
  });
  after(() => sim.close());

  it("by exact name or by id", async () => {
    const { id } = sim.cluster("dev-rke1");
    assert.deepEqual(await driverOf(sim).findTarget(cluster("cluster", "dev-rke1")), {
      id,
      name: "dev-rke1",
    });
    assert.deepEqual(await driverOf(sim).findTarget(cluster("cluster", id)), { id, name: "dev-rke1" });
  });

  it("an unknown cluster is exit 4 listing the clusters the token can see", async () => {
    const rke2 = sim.cluster("dev-rke2").id;
    await assert.rejects(
      driverOf(sim).findTarget(cluster("cluster", "dev-rke")),
      failsWith("not-found", new RegExp(`not found; the API token can see: .*dev-rke2 \\(${rke2}\\)`)),
    );
  });

  it('no cluster given, and the token sees several: exit 2 listing them, never "undefined"', async () => {
    await assert.rejects(driverOf(sim).findTarget(undefined), (error: EnrollError) => {
      assert.equal(error.kind, "usage");
      assert.match(error.message, /^no cluster given and the API token can see several: .*dev-rke1 \(c-/);
      assert.doesNotMatch(`${error.message} ${error.hint}`, /undefined/);
      return true;
    });
  });

  it("an unknown cluster named by a profile: the hint names the profile's file and line", async () => {
    const from = 'profile "prod", /etc/rancher-enroll/config line 4';
    await assert.rejects(
      driverOf(sim).findTarget({ nameOrId: "nope", word: "cluster", from }),
      (error: EnrollError) =>
        error.kind === "not-found" && error.hint?.startsWith(`Check ${from} (`) === true,
    );
  });

  it("the 1.6 word is a usage error that says so", async () => {
    await assert.rejects(
      driverOf(sim).findTarget(cluster("environment", "dev-rke1")),
      (error: EnrollError) => error.kind === "usage" && /--cluster dev-rke1/.test(error.hint ?? ""),
    );
  });

  it("a 2.12 server has no RKE1: an RKE1 cluster named there is exit 8 saying so", async () => {
    const v212 = await startFastV3({ version: "v2.12.0" });
    try {
      const driver = driverOf(v212);
      await assert.rejects(
        driver.findTarget(cluster("cluster", "dev-rke1")),
        failsWith("server", /Rancher v2\.12\.0, which has no RKE1/),
      );
      assert.equal(driver.serverVersion, "v2.12.0");
    } finally {
      await v212.close();
    }
  });

  it("a refused token is exit 3", async () => {
    const disabled = sim.addApiToken({ enabled: false });
    await assert.rejects(
      driverOf(sim, disabled).findTarget(cluster("cluster", "dev-rke1")),
      failsWith("auth", /401/),
    );
  });
});

describe("v3 driver: the registration token", () => {
  let sim: V3Simulator;
  afterEach(() => sim.close());
  const start = async (options: V3SimulatorOptions = {}) => {
    sim = await startFastV3(options);
    return { id: sim.cluster("dev-rke1").id, name: "dev-rke1" } satisfies Target;
  };
  const posts = () =>
    sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("clusterregistrationtokens"));
  const liveTokens = (target: Target) => sim.registrationTokens(target.id);

  it("2.8: reuses default-token without creating anything; the join is the server's node command", async () => {
    const CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----";
    const target = await start({ cacerts: CA });
    const { join, created } = await driverOf(sim).obtainJoin(target, new Deadline(10));
    assert.equal(created, false);
    assert.equal(posts().length, 0);
    const token = liveTokens(target).find((t) => t.name === "default-token")!;
    assert.deepEqual(
      { id: join.id, secret: join.secret, image: join.image, url: join.url },
      { id: token.id, secret: token.token, image: "rancher/rancher-agent:v2.8.15", url: sim.url },
    );
    assert.match(join.command, /^sudo docker run .* rancher\/rancher-agent:v2\.8\.15 --server /);
    assert.match(join.caChecksum ?? "", /^[0-9a-f]{64}$/);
  });

  it("2.5 has no default-token: one is created, then reused", async () => {
    const target = await start({ version: "v2.5.17" });
    assert.equal(liveTokens(target).length, 0);
    const first = await driverOf(sim).obtainJoin(target, new Deadline(10));
    const again = await driverOf(sim).obtainJoin(target, new Deadline(10));
    assert.deepEqual(
      [first.created, again.created, again.join.id],
      [true, false, `${target.id}:default-token`],
    );
    assert.equal(posts().length, 1);
  });

  it("a fleet booting at once ends with one token", async () => {
    const target = await start({ version: "v2.5.17" });
    const machines = await Promise.all(
      Array.from({ length: 8 }, () => driverOf(sim).obtainJoin(target, new Deadline(20))),
    );
    assert.equal(new Set(machines.map((m) => m.join.id)).size, 1);
    assert.equal(liveTokens(target).length, 1);
    assert.equal(machines.filter((m) => m.created).length, 1, "one machine created it, the others reused it");
  });

  it("2.6+: a token created without a node command yet is waited for, never created again", async () => {
    await start();
    const fresh = await postCluster(sim, { name: "fresh", defaultToken: false });
    const target = { id: fresh.id, name: "fresh" };
    const machines = await Promise.all(
      Array.from({ length: 4 }, () => driverOf(sim).obtainJoin(target, new Deadline(20))),
    );
    assert.equal(new Set(machines.map((m) => m.join.id)).size, 1);
    assert.ok(machines.every((m) => m.join.command.startsWith("sudo docker run")));
    assert.equal(liveTokens(target).length, 1);
  });

  it("a node command that never comes ends at the deadline, naming the server-url setting", async () => {
    const target = await start();
    sim.faults.keepTokensWithoutCommand(true);
    const fresh = await postCluster(sim, { name: "stuck", defaultToken: false });
    await assert.rejects(
      driverOf(sim).obtainJoin({ id: fresh.id, name: "stuck" }, new Deadline(1.5)),
      failsWith("timeout", /no node command; .*server-url/),
    );
    assert.ok(target);
  });

  it("a token waited for that goes away (removed by hand): the tokens are read again, no wait until the timeout", async () => {
    await start();
    sim.faults.keepTokensWithoutCommand(true);
    const fresh = await postCluster(sim, { name: "fresh", defaultToken: false });
    const target = { id: fresh.id, name: "fresh" };
    const keys = { accessKey: sim.adminToken.accessKey, secretKey: sim.adminToken.secretKey };
    const client = new V3Client(new ApiClient(sim.url, keys, log, new Deadline(30)));
    const pending = await client.createToken(fresh.id, "crt-other");
    // The API has no DELETE for tokens (405); `kubectl delete clusterregistrationtoken` has: seen as a 404.
    let removed = false;
    const seen: V3Client = Object.assign(Object.create(client) as V3Client, {
      tokens: async (id: string) => (await client.tokens(id)).filter((t) => !removed || t.id !== pending.id),
      token: async (id: string, tokenId: string) =>
        removed && tokenId === pending.id ? undefined : client.token(id, tokenId),
    });
    const started = Date.now();
    const waiting = obtainJoin({ client: seen, log, toJoin: rke1Join }, target, new Deadline(30));
    const readsOfPending = () => sim.requests.filter((r) => r.path.endsWith(pending.id)).length;
    while (readsOfPending() === 0) await sleep(20);
    removed = true;
    sim.faults.keepTokensWithoutCommand(false);
    const { join, created } = await waiting;
    assert.deepEqual([join.id, created], [`${fresh.id}:default-token`, true]);
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  });

  it("the agent image for prepare is read, never made: a cluster without a token gets none", async () => {
    const target = await start({ version: "v2.5.17" });
    assert.equal(await driverOf(sim).agentImage(target), "rancher/rancher-agent:v2.5.17");
    assert.deepEqual(
      sim.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`),
      [],
    );
    assert.equal(liveTokens(target).length, 0);
  });

  it("a dry run's peek never creates", async () => {
    const target = await start({ version: "v2.5.17" });
    assert.deepEqual(await driverOf(sim).peekJoin(target), {});
    assert.equal(posts().length, 0);
  });
});

describe("v3 driver: a cluster-scoped token", () => {
  let sim: V3Simulator;
  let target: Target;
  before(async () => {
    sim = await startFastV3({ cacerts: "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----" });
    target = { id: sim.cluster("dev-rke1").id, name: "dev-rke1" };
  });
  after(() => sim.close());

  it("works through /v3/clusters/<id>/… once given the cluster's id", async () => {
    const scoped = sim.addApiToken({ clusterId: target.id });
    const driver = driverOf(sim, scoped);
    sim.clearRequests();
    assert.deepEqual(await driver.findTarget(cluster("cluster", target.id)), target);
    const { join } = await driver.obtainJoin(target, new Deadline(10));
    assert.equal(join.id, `${target.id}:default-token`);
    assert.deepEqual(await driver.listMembers(target), []);
    const outside = sim.requests.filter((r) => !r.path.startsWith(`/v3/clusters/${target.id}`));
    assert.deepEqual(
      outside.map((r) => r.path),
      ["/rancherversion", "/v3/settings/cacerts"],
      "only open endpoints are read outside the cluster",
    );
  });

  it("naming the cluster by name says to pass its id", async () => {
    const scoped = sim.addApiToken({ clusterId: target.id });
    await assert.rejects(
      driverOf(sim, scoped).findTarget(cluster("cluster", "dev-rke1")),
      (error: EnrollError) => error.kind === "auth" && /cluster's id/.test(error.hint ?? ""),
    );
  });
});

describe("v3 driver: nodes", () => {
  let sim: V3Simulator;
  let target: Target;
  beforeEach(async () => {
    sim = await startFastV3();
    target = { id: sim.cluster("dev-rke1").id, name: "dev-rke1" };
  });
  afterEach(() => sim.close());

  it("lists every page", async () => {
    sim.seedNodes({ clusterId: target.id, count: 1003, hostname: "old", roles: ["worker"] });
    const nodes = await driverOf(sim).listMembers(target);
    assert.equal(nodes.length, 1003);
    assert.equal(new Set(nodes.map((n) => n.id)).size, 1003);
  });

  it("a lone worker in a new cluster: not ready, with the conditions not true and the roles the cluster lacks", async () => {
    const { join } = await driverOf(sim).obtainJoin(target, new Deadline(10));
    await connectAgent(sim, join.secret, {
      requestedHostname: "Node-01",
      address: "10.0.0.11",
      roles: ["worker"],
    });
    const driver = driverOf(sim);
    const [listed] = await driver.listMembers(target);
    assert.ok(listed);
    const node = (await driver.getMember(target, listed.id))!;
    assert.deepEqual(
      [node.name, node.address, node.ready, node.registered],
      ["node-01", "10.0.0.11", false, false],
    );
    assert.match(node.waiting ?? "", /Registered: (Unknown|not reported yet)/);
    const nodes = await driver.listMembers(target);
    assert.match(
      (await driver.whyWaiting(target, node, nodes)) ?? "",
      /has no etcd, no controlplane node yet/,
    );
  });

  it("a worker joining an active cluster: nothing holds it back, and saying so takes one request", async () => {
    const active = sim.addCluster({ name: "running", active: true });
    const running = { id: active.id, name: active.name };
    const [node] = sim.seedNodes({ clusterId: active.id, hostname: "worker-01", roles: ["worker"] });
    const driver = driverOf(sim);
    const nodes = await driver.listMembers(running);
    const since = sim.requests.length;
    assert.equal(
      await driver.whyWaiting(
        running,
        nodes.find((n) => n.id === node!.id)!,
        nodes,
      ),
      undefined,
    );
    assert.deepEqual(
      sim.requests.slice(since).map((r) => r.path),
      [`/v3/clusters/${active.id}`],
    );
  });

  it("all roles on one node: it becomes ready (active, Registered and Ready true)", async () => {
    const { join } = await driverOf(sim).obtainJoin(target, new Deadline(10));
    const roles = ["etcd", "controlplane", "worker"] as const;
    await connectAgent(sim, join.secret, { requestedHostname: "node-01", roles: [...roles] });
    const driver = driverOf(sim);
    const id = (await driver.listMembers(target))[0]!.id;
    const deadline = new Deadline(10);
    const ready = await deadline.poll(
      100,
      async () => {
        const node = await driver.getMember(target, id);
        return node?.ready ? node : undefined;
      },
      () => "node never ready",
    );
    assert.deepEqual(
      [ready.state, ready.registered, ready.waiting, ready.view.roles],
      ["active", true, undefined, roles],
    );
    assert.equal(await driver.whyWaiting(target, ready, [ready]), undefined);
  });

  it("removal deletes the node and waits until it is gone", async () => {
    const [seeded] = sim.seedNodes({ clusterId: target.id, hostname: "gone-01" });
    const driver = driverOf(sim);
    await driver.removeMember(target, seeded!.id, new Deadline(10));
    assert.equal(await driver.getMember(target, seeded!.id), undefined);
    assert.equal(sim.nodes(target.id).length, 0);
    await driver.removeMember(target, seeded!.id, new Deadline(10));
  });

  it("a node that stays removing ends at the deadline, naming its state", async () => {
    const [seeded] = sim.seedNodes({ clusterId: target.id, hostname: "stuck-01" });
    sim.faults.keepNodesRemoving(true);
    await assert.rejects(
      driverOf(sim).removeMember(target, seeded!.id, new Deadline(1)),
      failsWith("timeout", /still on the server \(removing/),
    );
  });
});

async function postCluster(sim: V3Simulator, body: object): Promise<{ id: string }> {
  const response = await fetch(`${sim.url}/_sim/clusters`, { method: "POST", body: JSON.stringify(body) });
  assert.equal(response.status, 201);
  return (await response.json()) as { id: string };
}
