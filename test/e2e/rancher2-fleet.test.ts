// `rancher-enroll up` against Rancher 2.x when things happen around it: killed while waiting, two runs at once, more
// nodes than a page, a token scoped to one cluster. The built CLI (or the single executable), the v3 simulator,
// a real Docker engine running the fake rancher/rancher-agent.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { e2e, useV3World } from "../support/e2e-v3.js";
import { machineName } from "../support/simulator/v3/index.js";
import { waitFor } from "../support/testbed/wait.js";

/** Paths Rancher answers without credentials: a scoped token is not checked there. */
const OPEN = ["/ping", "/rancherversion", "/v3/settings/cacerts"];
const nodeId = (run: { json(): Record<string, unknown> }) => (run.json().node as { id: string }).id;

describe("up on Rancher 2.x, around it", { skip: e2e.skip }, () => {
  const world = useV3World();

  it("up after a kill -9 while waiting ends with one node and one agent", async () => {
    world.simulator.faults.keepNodesRegistering(true);
    const cluster = world.cluster({ active: true });
    const interrupted = world.startCli(["up", "--cluster", cluster.name]);
    await waitFor("a node to register", async () => world.simulator.nodes(cluster.id).length > 0, {
      timeoutMs: 60_000,
    });
    interrupted.child.kill("SIGKILL");
    await interrupted.done;
    world.simulator.faults.keepNodesRegistering(false);
    const run = await world.cli(["up", "--cluster", cluster.name, "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      world.simulator.nodes(cluster.id).map((node) => node.id),
      [nodeId(run)],
    );
    assert.equal((await world.containers()).length, 1, "one agent container");
    assert.equal(world.simulator.registrationTokens(cluster.id).length, 1);
  });

  it("two up at once: one token, one node, one agent", async () => {
    const cluster = world.cluster({ active: true, defaultToken: false });
    const args = ["up", "--cluster", cluster.name, "-o", "json"];
    const runs = await Promise.all([world.cli(args), world.cli(args)]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(runs.map((run) => run.json().changed).sort(), [false, true]);
    assert.equal(new Set(runs.map(nodeId)).size, 1);
    assert.equal(world.simulator.nodes(cluster.id).length, 1);
    assert.equal(world.simulator.registrationTokens(cluster.id).length, 1);
    assert.equal(world.requests("POST", /clusterregistrationtokens$/).length, 1);
    assert.equal((await world.containers()).length, 1);
  });

  it("finds its node on the second page of a cluster with more nodes than a page", async () => {
    const cluster = world.cluster({ active: true });
    const seeded = world.simulator.seedNodes({ clusterId: cluster.id, count: 1001 });
    // A node name whose id sorts after the first page (ids are m-<md5 of the name>, pages go by id).
    const pageEnd = seeded.map((node) => node.name).sort()[999]!;
    const name = Array.from({ length: 20_000 }, (_, i) => `paged-${i}`).find(
      (n) => machineName(n) > pageEnd,
    )!;
    const run = await world.cli(["up", "--cluster", cluster.name, "--node-name", name, "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(nodeId(run), `${cluster.id}:${machineName(name)}`);
    assert.ok(
      world.requests("GET", /\/nodes$/).some((r) => "marker" in r.query),
      "the second page was asked for",
    );
  });

  for (const path of ["", "/v3"]) {
    it(`a token scoped to the cluster (URL ${path || "without a path"}): its requests on /v3/clusters/<id>/`, async () => {
      const cluster = world.cluster({ active: true });
      const scoped = world.simulator.addApiToken({ clusterId: cluster.id });
      const run = await world.cli(["up", "--cluster", cluster.id, "-o", "json"], {
        RANCHER_URL: `${world.simulator.url}${path}`,
        RANCHER_TOKEN: scoped.bearer,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(world.simulator.nodes(cluster.id).length, 1);
      const asked = world.simulator.requests.filter((r) => r.accessKey === scoped.accessKey);
      assert.ok(asked.some((r) => r.path === `/v3/clusters/${cluster.id}/nodes`));
      assert.deepEqual(
        asked
          .filter((r) => !r.path.startsWith(`/v3/clusters/${cluster.id}`) && !OPEN.includes(r.path))
          .map((r) => `${r.method} ${r.path} ${r.status}`),
        // Without a path the line is detected: the scoped token is refused at /v3, the open version tells.
        path ? [] : ["GET /v2-beta 404", "GET /v3 401"],
      );
    });
  }
});
