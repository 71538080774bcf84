// `rancher-enroll up` against a Rancher 2.x server with a private CA: `--ca-checksum` pins it (read without
// credentials, trusted alone), a wrong checksum stops before any credential is sent, and a node command whose
// checksum no longer matches the server's CA is refused instead of launching an agent that would crash-loop.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AGENT, e2e, usePrivateCaV3World } from "../support/e2e-v3.js";
import { caChecksum } from "../support/simulator/v3/index.js";
import { docker } from "../support/testbed/engine.js";

describe("up on Rancher 2.x with a private CA", { skip: e2e.skip }, () => {
  const { world, pki, authority, checksum: pinned } = usePrivateCaV3World();
  const authenticated = () => world.simulator.requests.filter((r) => r.accessKey !== undefined);

  it("--ca-checksum alone makes the server usable; the agent checks the same checksum", async () => {
    const cluster = world.cluster({ active: true });
    const since = world.simulator.requests.length;
    const run = await world.cli(["up", "--cluster", cluster.name, "--ca-checksum", pinned, "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((run.json().node as { state: string }).state, "active");
    const first = world.simulator.requests.slice(since)[0];
    assert.deepEqual([first?.path, first?.accessKey], ["/v3/settings/cacerts", undefined]);
    const args = JSON.parse(
      await docker(world.testbed, ["inspect", "-f", "{{json .Args}}", AGENT]),
    ) as string[];
    assert.equal(args[args.indexOf("--ca-checksum") + 1], pinned);
  });

  it("a wrong --ca-checksum is exit 8 naming both checksums: no credential sent, no agent", async () => {
    const wrong = "0123456789abcdef".repeat(4);
    const before = authenticated().length;
    const run = await world.cli(["up", "--cluster", "dev-rke1", "--ca-checksum", wrong]);
    assert.equal(run.code, 8, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`has the checksum ${pinned}, not the pinned ${wrong}: no credential was sent`),
    );
    assert.equal(authenticated().length, before, "no request carried the token");
    assert.deepEqual(await world.containers(), []);
  });

  it("a node command whose --ca-checksum the server's CA no longer matches: exit 8, no agent", async () => {
    const cluster = world.cluster({ active: true });
    const written = world.simulator.registrationTokens(cluster.id)[0]!;
    const rotated = pki.authority("rotated ca");
    world.simulator.setCacerts(rotated.cert);
    try {
      const run = await world.cli([
        "up",
        "--cluster",
        cluster.name,
        "--ca-cert",
        authority.certFile,
        "--timeout",
        "30",
      ]);
      assert.equal(run.code, 8, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(
          `server's CA checksum is ${caChecksum(rotated.cert)}, but the node command's --ca-checksum is ${pinned}`,
        ),
      );
      assert.match(run.stderr, /most likely changed after the cluster's registration command was written/);
      assert.deepEqual(await world.containers(), []);
      assert.deepEqual(world.simulator.nodes(cluster.id), []);
      assert.deepEqual(
        world.simulator.registrationTokens(cluster.id).map((t) => t.id),
        [written.id],
      );
    } finally {
      world.simulator.setCacerts(authority.cert);
    }
  });
});
