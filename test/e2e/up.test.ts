// `rancher-enroll up` end to end: the built CLI against the Rancher 1.6 simulator and a real Docker engine running
// the fake agent.
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { describe, it } from "node:test";
import { watchContainerStarts } from "../support/container-watch.js";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { docker, tryDocker } from "../support/testbed/engine.js";
import { waitFor } from "../support/testbed/wait.js";

describe("up", { skip: e2e.skip }, () => {
  const world = useE2eWorld();
  const posts = (path: RegExp) => world.requests("POST", path);

  it("enrolls into a fresh environment: one token, the server's flags, our host confirmed active", async () => {
    const watch = await watchContainerStarts();
    const run = await world.cli(["up", "--environment", "default", "--output", "json"]);
    watch.stop();
    assert.equal(run.code, 0, run.stderr);
    const result = run.json();

    assert.equal(posts(/registrationtokens$/).length, 1, "exactly one token created");
    const [token] = world.simulator.tokens("1a5");
    assert.deepEqual(result.registration, { id: token!.id, created: true });

    const [host] = world.simulator.hosts("1a5");
    assert.ok(host);
    assert.equal(world.simulator.hosts("1a5").length, 1);
    assert.deepEqual(result.host, {
      id: host.id,
      hostname: hostname(),
      state: "active",
      agentState: "active",
      agentIpAddress: world.testbed.bridgeIp,
      labels: host.labels,
    });
    assert.deepEqual(result.environment, { id: "1a5", name: "Default" });
    assert.deepEqual(result.server, { url: world.simulator.url, version: "v1.6.30" });
    assert.equal(result.changed, true);
    assert.equal(typeof result.durationSeconds, "number");

    const bootstrap = watch.started.find(
      (c) => c.Config.Image === world.testbed.agentImage && c.Args[0] !== "run",
    );
    assert.ok(bootstrap, "the bootstrap container was seen");
    assert.deepEqual(bootstrap.Args, [token!.registrationUrl]);
    assert.equal(bootstrap.HostConfig.Privileged, true);
    assert.deepEqual(bootstrap.HostConfig.Binds, [
      "/var/run/docker.sock:/var/run/docker.sock",
      "/var/lib/rancher:/var/lib/rancher",
    ]);
    assert.notEqual(bootstrap.HostConfig.NetworkMode, "host");
    assert.equal(
      bootstrap.Config.Hostname,
      bootstrap.Id.slice(0, 12),
      "default hostname: the agent finds itself by it",
    );
    assert.notEqual(bootstrap.Name, "/rancher-agent");
    assert.deepEqual(
      bootstrap.Config.Env.filter((e) => /^(CATTLE_|CA_|RANCHER_(URL|ACCESS|SECRET))/.test(e)),
      [],
    );
    assert.deepEqual(
      await world.containers(),
      [(await docker(world.testbed, ["inspect", "-f", "{{.Id}}", "rancher-agent"])).slice(0, 12)],
      "bootstrap removed, rancher-agent left",
    );

    const everything =
      run.stdout + run.stderr + JSON.stringify(watch.started.map((c) => [c.Config.Env, c.Args]));
    assert.ok(!everything.includes(world.simulator.environmentKey.secretKey), "the secret key leaks nowhere");
    assert.ok(!run.stderr.includes(token!.token!), "the registration token is masked in logs");
  });

  it("reuses the environment's active token", async () => {
    const created = await fetch(`${world.simulator.url}/v2-beta/projects/1a5/registrationtokens`, {
      method: "POST",
      headers: { authorization: basic(world.simulator.adminKey), "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(created.status, 201);
    await waitFor("token active", async () => world.simulator.tokens("1a5")[0]?.state === "active", {
      timeoutMs: 10_000,
    });
    world.simulator.clearRequests();
    const run = await world.cli(["up", "--output", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((run.json().registration as { created: boolean }).created, false);
    assert.equal(posts(/registrationtokens$/).length, 0);
    assert.equal(world.simulator.tokens("1a5").length, 1);
  });

  it("passes labels and the agent IP through to the host", async () => {
    const watch = await watchContainerStarts();
    const args = [
      "up",
      "-o",
      "json",
      "--label",
      "role=web",
      "--label",
      "zone=eu west&1",
      "--agent-ip",
      "10.11.12.13",
    ];
    const run = await world.cli(args);
    watch.stop();
    assert.equal(run.code, 0, run.stderr);
    const bootstrap = watch.started.find(
      (c) => c.Config.Image === world.testbed.agentImage && c.Args[0] !== "run",
    );
    assert.ok(bootstrap?.Config.Env.includes("CATTLE_AGENT_IP=10.11.12.13"));
    assert.ok(bootstrap?.Config.Env.includes("CATTLE_HOST_LABELS=role=web&zone=eu%20west%261"));
    const [host] = world.simulator.hosts("1a5");
    assert.equal(host?.agentIpAddress, "10.11.12.13");
    assert.equal(host?.labels.role, "web");
    assert.equal(host?.labels.zone, "eu west&1");
    assert.deepEqual((run.json().host as { labels: object }).labels, host?.labels);
  });

  it("reports the new host among stale namesakes and more hosts than one page", async () => {
    const stale = world.simulator.seedHosts("1a5", {
      count: 3,
      hostname: hostname(),
      agentState: "disconnected",
    });
    const seeded = new Set([...stale, ...world.simulator.seedHosts("1a5", { count: 1050 })].map((h) => h.id));
    const run = await world.cli(["up", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    const reported = (run.json().host as { id: string }).id;
    assert.ok(!stale.some((h) => h.id === reported), "not a stale host");
    const ours = world.simulator.hosts("1a5").filter((h) => !seeded.has(h.id));
    assert.deepEqual(
      ours.map((h) => h.id),
      [reported],
    );
    assert.ok(
      world.simulator.requests.some((r) => r.path.endsWith("/hosts") && "marker" in r.query),
      "pages were followed",
    );
  });

  it("pulls an absent agent image from the registry, with progress", async () => {
    await world.simulate({ agentImage: world.testbed.registryAgentImage });
    await tryDocker(world.testbed, [
      "rmi",
      "--force",
      world.testbed.registryAgentImage,
      world.testbed.agentImage,
    ]);
    const run = await world
      .cli(["up", "-o", "json"])
      .finally(() =>
        tryDocker(world.testbed, ["tag", world.testbed.registryAgentImage, world.testbed.agentImage]),
      );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.json().agent, { image: world.testbed.registryAgentImage, imagePulled: true });
    assert.match(run.stderr, / pulled 1 of 1 layers, [1-9][\d.]* MB in [\d.]+ s\n/);
    assert.equal(
      await docker(world.testbed, ["image", "inspect", "-f", "ok", world.testbed.registryAgentImage]),
      "ok",
    );
  });

  it("dry run: creates nothing, launches nothing, shows the plan", async () => {
    const run = await world.cli(["up", "--dry-run", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.json().registration, { wouldCreate: true });
    assert.equal(posts(/./).length, 0);
    assert.deepEqual(await world.containers(), []);
  });

  describe("failures: exit code, an actionable message, nothing left behind", () => {
    const failures: [
      string,
      () => Promise<{ args?: string[]; env?: Record<string, string> }>,
      number,
      RegExp,
    ][] = [
      ["bad input", async () => ({ args: ["--label", "novalue"] }), 2, /invalid label "novalue"/],
      ["bad keys", async () => ({ env: { RANCHER_SECRET_KEY: "wrong" } }), 3, /rejected the API key .*401/],
      [
        "unknown environment",
        async () => ({ args: ["--environment", "Nope"] }),
        4,
        /"Nope" not found; the API key can see: Default \(1a5\)/,
      ],
      [
        "Docker unavailable",
        async () => ({ args: ["--wait-for-docker", "0"], env: { DOCKER_HOST: "unix:///nonexistent.sock" } }),
        5,
        /there is no Docker engine at unix:\/\/\/nonexistent.sock: the socket \/nonexistent.sock does not exist/,
      ],
      [
        "unreachable server",
        async () => ({ args: ["--timeout", "5"], env: { RANCHER_URL: "http://127.0.0.1:9" } }),
        8,
        /cannot reach the Rancher server at http:\/\/127.0.0.1:9 \(connection refused\), after \d+ attempts/,
      ],
    ];
    for (const [name, setup, code, message] of failures) {
      it(name, async () => {
        const { args = [], env: extra = {} } = await setup();
        const run = await world.cli(["up", "-o", "json", ...args], extra);
        assert.equal(run.code, code, run.stderr);
        assert.match(run.stderr, message);
        assert.equal((run.json().error as { exitCode: number }).exitCode, code);
        assert.equal(posts(/./).length, 0, "nothing created on the server");
        assert.deepEqual(await world.containers(), [], "nothing launched");
      });
    }

    it("agent exits with ERROR: its lines are quoted, its container removed", async () => {
      await world.simulate({ publicUrl: `http://127.0.0.1:${world.simulator.port}` });
      const run = await world.cli(["up", "-o", "json"]);
      assert.equal(run.code, 6, run.stderr);
      assert.match(run.stderr, /bootstrap container exited with code 1:\n {2}.*ERROR: .*127\.0\.0\.1/);
      assert.deepEqual(await world.containers(), []);
    });

    it("an agent image its registry does not have: exit 5, said in words, not Docker's raw HTTP error", async () => {
      const missing = `${world.testbed.registry}/rancher/agent:v0.0.0-missing`;
      await world.simulate({ agentImage: missing });
      const run = await world.cli(["up", "-o", "json"]);
      assert.equal(run.code, 5, run.stderr);
      const { message, hint } = (run.json() as { error: { message: string; hint: string } }).error;
      assert.match(message, new RegExp(`^cannot pull image ${missing}: the registry has no such image`));
      assert.doesNotMatch(message, /HTTP code/);
      assert.match(hint, /Check the image's name and tag/);
      assert.deepEqual(await world.containers(), []);
    });

    it("host never active: times out with the host's last state", async () => {
      world.simulator.faults.keepHostsFromActive(true);
      // Long enough for the bootstrap container to finish on a loaded machine, so that the wait for the host ends it.
      const run = await world.cli(["up", "-o", "json", "--timeout", "30"]);
      assert.equal(run.code, 7, run.stderr);
      assert.match(
        run.stderr,
        /host 1h\d+ \(.*\) did not become active; last state "activating".*gave up after 30 s/,
      );
    });
  });
});

function basic(key: { accessKey: string; secretKey: string }): string {
  return `Basic ${Buffer.from(`${key.accessKey}:${key.secretKey}`).toString("base64")}`;
}
