// The host's whole life end to end: idempotent `up`, recovery from deletion, removal and interruption, the lock,
// `status`, `down` and `prepare`, with the built CLI against the simulator and a real engine running the fake agent.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli, withoutTimestamps } from "../support/cli.js";
import type { Host } from "../support/simulator/index.js";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { docker } from "../support/testbed/engine.js";
import { waitFor } from "../support/testbed/wait.js";

describe("the host's life", { skip: e2e.skip }, () => {
  const world = useE2eWorld();
  const live = () => world.simulator.hosts("1a5").filter((h) => !["removed", "purged"].includes(h.state));
  const hostId = (run: { json(): Record<string, unknown> }) => (run.json().host as { id: string }).id;
  const byId = (id: string) => world.simulator.hosts("1a5").find((h) => h.id === id) as Host;

  async function enroll(): Promise<string> {
    const run = await world.cli(["up", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    return hostId(run);
  }

  async function operator(method: string, path: string): Promise<void> {
    const key = world.simulator.adminKey;
    const auth = `Basic ${Buffer.from(`${key.accessKey}:${key.secretKey}`).toString("base64")}`;
    const response = await fetch(`${world.simulator.url}/v2-beta/projects/1a5/${path}`, {
      method,
      headers: { authorization: auth },
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status}`);
  }

  it("a second up on an enrolled machine changes nothing, in one API request", async () => {
    const first = await enroll();
    const agent = await docker(world.testbed, ["inspect", "-f", "{{.Id}}", "rancher-agent"]);
    world.simulator.clearRequests();
    const run = await world.cli(["up", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json().changed, false);
    assert.equal(hostId(run), first);
    assert.deepEqual(
      world.requests("GET").map((r) => r.path),
      [`/v2-beta/projects/1a5/hosts/${first}`],
    );
    assert.equal(world.requests("POST").length, 0);
    assert.equal(
      await docker(world.testbed, ["inspect", "-f", "{{.Id}}", "rancher-agent"]),
      agent,
      "agent untouched",
    );
  });

  it("up again with another label: exit 9 saying what differs and how to apply it, nothing changed", async () => {
    const first = await world.cli(["up", "--label", "role=web", "-o", "json"]);
    assert.equal(first.code, 0, first.stderr);
    const id = hostId(first);
    world.simulator.clearRequests();
    const again = await world.cli(["up", "--label", "role=db"]);
    assert.equal(again.code, 9, again.stderr);
    assert.match(
      withoutTimestamps(again.stderr),
      new RegExp(
        `^error: host ${id} is enrolled already, with other settings: label role: asked db, the host has web; nothing was changed\n {2}Labels can be changed`,
        "m",
      ),
    );
    assert.doesNotMatch(again.stdout, /already enrolled/);
    assert.equal(world.requests("POST").length + world.requests("PUT").length, 0);
    assert.equal(byId(id).labels.role, "web");
  });

  it("up after the host was deleted on the server ends with one active host", async () => {
    const first = await enroll();
    await operator("POST", `hosts/${first}?action=deactivate`);
    await waitFor("host inactive", async () => byId(first).state === "inactive", { timeoutMs: 10_000 });
    await operator("DELETE", `hosts/${first}`);
    await waitFor("host removed", async () => byId(first).state === "removed", { timeoutMs: 10_000 });
    const run = await world.cli(["up", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      live().map((h) => [h.id, h.state]),
      [[hostId(run), "active"]],
    );
  });

  it("up after rancher-agent was removed locally brings the same host back", async () => {
    const first = await enroll();
    await docker(world.testbed, ["rm", "--force", "rancher-agent"]);
    const run = await world.cli(["up", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json().changed, true);
    assert.equal(hostId(run), first);
    assert.deepEqual(
      live().map((h) => [h.id, h.state]),
      [[first, "active"]],
    );
  });

  it("up after a kill -9 while waiting ends with exactly one active host", async () => {
    world.simulator.faults.keepHostsFromActive(true);
    const interrupted = world.startCli(["up"]);
    await waitFor("a host to appear", async () => world.simulator.hosts("1a5").length > 0, {
      timeoutMs: 30_000,
    });
    interrupted.child.kill("SIGKILL");
    await interrupted.done;
    world.simulator.faults.keepHostsFromActive(false);
    const run = await world.cli(["up", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      live().map((h) => [h.id, h.state]),
      [[hostId(run), "active"]],
    );
    assert.equal(world.simulator.tokens("1a5").length, 1);
  });

  it("two up at once: one waits for the other, one host, one token", async () => {
    const runs = await Promise.all([world.cli(["up", "-o", "json"]), world.cli(["up", "-o", "json"])]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(runs.map((run) => run.json().changed).sort(), [false, true]);
    assert.ok(runs.some((run) => run.stderr.includes("another rancher-enroll is working on this machine")));
    assert.equal(new Set(runs.map(hostId)).size, 1);
    assert.equal(live().length, 1);
    assert.equal(world.simulator.tokens("1a5").length, 1);
  });

  it("status: not enrolled, active, then unhealthy when the agent stops or the host is gone", async () => {
    const status = async () => {
      const run = await world.cli(["status", "-o", "json"]);
      return { code: run.code, result: run.json() as { problems: string[]; healthy: boolean } };
    };
    assert.equal((await status()).code, 10);
    const id = await enroll();
    const active = await status();
    assert.equal(active.code, 0);
    assert.equal(active.result.healthy, true);
    await docker(world.testbed, ["stop", "rancher-agent"]);
    await waitFor("host disconnected", async () => byId(id).agentState === "disconnected", {
      timeoutMs: 20_000,
    });
    const stopped = await status();
    assert.equal(stopped.code, 11);
    assert.deepEqual(stopped.result.problems, [
      "the rancher-agent container is stopped",
      `host ${id} is disconnected`,
    ]);
    await operator("POST", `hosts/${id}?action=deactivate`);
    await waitFor("host inactive", async () => byId(id).state === "inactive", { timeoutMs: 10_000 });
    await operator("DELETE", `hosts/${id}`);
    await waitFor("host removed", async () => byId(id).state === "removed", { timeoutMs: 10_000 });
    assert.deepEqual((await status()).result.problems, [
      "the rancher-agent container is stopped",
      `host ${id} no longer exists on the server`,
    ]);
  });

  it("down removes the host and the agent; up then keeps the machine's identity unless down --purge", async () => {
    const first = byId(await enroll());
    const down = await world.cli(["down", "-o", "json"]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(down.json().removedHosts, [first.id]);
    assert.equal(first.state, "removed");
    assert.deepEqual(await world.containers(), []);

    const second = byId(await enroll());
    assert.notEqual(second.id, first.id);
    assert.equal(second.reportedUuid, first.reportedUuid, "same machine identity without --purge");

    const purge = await world.cli(["down", "--purge", "-o", "json"]);
    assert.equal(purge.code, 0, purge.stderr);
    assert.ok((purge.json().purged as string[]).includes("/var/lib/rancher/state"));
    const third = byId(await enroll());
    assert.notEqual(third.reportedUuid, first.reportedUuid, "a new identity after --purge");
    assert.equal(live().length, 1);
  });

  it("down on a machine that is not enrolled is a no-op", async () => {
    const run = await world.cli(["down", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json().changed, false);
    assert.equal(world.requests("GET").length + world.requests("POST").length, 0);
  });

  it("down with a wrong key changes nothing; down with the right key then takes the host out", async () => {
    const id = await enroll();
    const wrong = await world.cli(["down", "-o", "json"], { RANCHER_SECRET_KEY: "not-the-secret" });
    assert.equal(wrong.code, 3, wrong.stderr);
    assert.match(
      wrong.stderr,
      new RegExp(
        `cannot take host ${id} in environment Default \\(1a5\\) of .*: the server rejected .*; nothing was changed`,
      ),
    );
    assert.doesNotMatch(wrong.stderr, /\[stop agent\]/);
    assert.equal(byId(id).state, "active");
    assert.equal(
      await docker(world.testbed, ["inspect", "-f", "{{.State.Running}}", "rancher-agent"]),
      "true",
    );
    assert.equal((await world.cli(["status"])).code, 0, "still enrolled and active");
    const right = await world.cli(["down", "-o", "json"]);
    assert.equal(right.code, 0, right.stderr);
    assert.deepEqual(right.json().removedHosts, [id]);
    assert.equal(byId(id).state, "removed");
  });

  it("down with the server unreachable changes nothing; with --force it cleans up locally and names what is left", async () => {
    const id = await enroll();
    await world.stopSimulator();
    const run = await world.cli(["down", "--timeout", "5", "-o", "json"]);
    assert.equal(run.code, 8, run.stderr);
    assert.match(run.stderr, /cannot reach .*; nothing was changed\n.*down --force/);
    assert.equal((await world.containers()).length, 1, "the agent stays");
    const forced = await world.cli(["down", "--force", "--timeout", "5", "-o", "json"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(forced.json().leftOnServer, [
      `host ${id} in environment Default (1a5) of ${world.simulator.url}`,
    ]);
    assert.match(forced.stderr, /warning: --force: going on without the server/);
    assert.deepEqual(await world.containers(), []);
    assert.equal((await world.cli(["status"])).code, 10, "no longer enrolled locally");
  });

  it("prepare --clean makes the next up on a clone a host of its own", async () => {
    const original = byId(await enroll());
    const { DOCKER_HOST, RANCHER_ENROLL_STATE_DIR } = world.env();
    const clean = await runCli(["prepare", "--clean", "-o", "json"], {
      DOCKER_HOST,
      RANCHER_ENROLL_STATE_DIR,
    });
    assert.equal(clean.code, 0, clean.stderr);
    assert.deepEqual(await world.containers(), []);
    const clone = byId(await enroll());
    assert.notEqual(clone.id, original.id);
    assert.notEqual(clone.reportedUuid, original.reportedUuid);
  });

  it("prepare pulls the named agent image", async () => {
    await docker(world.testbed, ["rmi", "--force", world.testbed.registryAgentImage]);
    const run = await world.cli(["prepare", "--agent-image", world.testbed.registryAgentImage, "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json().imagePulled, true);
    assert.equal(
      await docker(world.testbed, ["image", "inspect", "-f", "ok", world.testbed.registryAgentImage]),
      "ok",
    );
  });
});
