// Smoke test of the whole test bed: the simulator hands out a registration token, the fake agent is started
// through the private engine exactly as the token's command says, and the host it reports goes active; when
// its rancher-agent container stops, the host turns disconnected. Plain fetch is the Rancher client.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startSimulator, type ApiKey, type Simulator } from "../support/simulator/index.js";
import { e2eTestbed } from "../support/testbed/env.js";
import { docker, resetEngine, tryDocker } from "../support/testbed/engine.js";
import type { TestbedInfo } from "../support/testbed/testbed.js";
import { waitFor } from "../support/testbed/wait.js";

const e2e = e2eTestbed();

interface Resource {
  id: string;
  state: string;
  links: Record<string, string>;
  [field: string]: unknown;
}

async function api(
  key: ApiKey,
  url: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Resource> {
  const response = await fetch(url, {
    method: init.method ?? "GET",
    headers: {
      Authorization: `Basic ${Buffer.from(`${key.accessKey}:${key.secretKey}`).toString("base64")}`,
      "Content-Type": "application/json",
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${init.method ?? "GET"} ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Resource;
}

describe(
  "smoke: token, fake agent through the private engine, host active, then disconnected",
  { skip: e2e.skip },
  () => {
    let testbed: TestbedInfo;
    let simulator: Simulator;
    let projectUrl: string;

    before(async () => {
      testbed = e2e.testbed();
      await resetEngine(testbed);
      // Listening on the bridge address only: reachable from the tests, from containers on the bridge and from
      // rancher-agent on the host network, and from nowhere else.
      simulator = await startSimulator({
        host: testbed.bridgeIp,
        timings: {
          tokenActivationMs: 100,
          registerActivationMs: 100,
          hostRegisteringMs: 100,
          hostActivatingMs: 200,
          agentReconnectingAfterMs: 2500,
          agentDisconnectedAfterMs: 4000,
          pingIntervalSeconds: 1,
        },
      });
      projectUrl = `${simulator.url}/v2-beta/projects/${simulator.defaultProject.id}`;
    });

    after(async () => {
      await simulator?.close();
      if (testbed) await resetEngine(testbed);
    });

    let command: string;

    it("creates a registration token and waits until it is active", async () => {
      const created = await api(simulator.environmentKey, `${projectUrl}/registrationtokens`, {
        method: "POST",
        body: {},
      });
      assert.equal(created.state, "registering");
      let token = created;
      await waitFor(
        "token never became active",
        async () => {
          token = await api(simulator.environmentKey, created.links.self ?? "");
          return token.state === "active";
        },
        { timeoutMs: 10_000 },
      );
      assert.equal(typeof token.command, "string");
      command = token.command as string;
      assert.match(
        command,
        /^sudo docker run --rm --privileged .*-v \/var\/run\/docker\.sock:\/var\/run\/docker\.sock/,
      );
    });

    it("runs the token's command on the private engine: the fake agent registers and launches rancher-agent", async () => {
      const [sudo, dockerCli, ...args] = command.split(/\s+/);
      assert.deepEqual([sudo, dockerCli], ["sudo", "docker"]);
      const bootstrap = await tryDocker(testbed, args);
      assert.equal(bootstrap.code, 0, `bootstrap failed:\n${bootstrap.stdout}${bootstrap.stderr}`);
      assert.match(bootstrap.stdout, /^INFO: Launched Rancher Agent: [0-9a-f]{64}$/m);

      const key = await readFile(join(testbed.rancherDir, "state/.registration_token"), "utf8");
      assert.match(key, /^[0-9a-f]{128}$/, "the machine key lives in the engine's /var/lib/rancher");

      const [agent] = JSON.parse(await docker(testbed, ["inspect", "rancher-agent"])) as Array<{
        Args: string[];
        Config: { Env: string[] };
        HostConfig: {
          NetworkMode: string;
          PidMode: string;
          Privileged: boolean;
          RestartPolicy: { Name: string };
        };
      }>;
      assert.ok(agent);
      assert.deepEqual(agent.Args, ["run"]);
      assert.equal(agent.HostConfig.NetworkMode, "host");
      assert.equal(agent.HostConfig.PidMode, "host");
      assert.equal(agent.HostConfig.Privileged, true);
      assert.equal(agent.HostConfig.RestartPolicy.Name, "always");
      const env = agent.Config.Env.map((entry) => entry.slice(0, entry.indexOf("=")));
      for (const name of ["CATTLE_ACCESS_KEY", "CATTLE_SECRET_KEY", "CATTLE_URL"])
        assert.ok(env.includes(name), name);
    });

    it("the host appears and turns active", async () => {
      let host: Resource | undefined;
      await waitFor(
        "no active host",
        async () => {
          const hosts = (await api(simulator.environmentKey, `${projectUrl}/hosts`)).data as Resource[];
          host = hosts[0];
          return host?.state === "active";
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      assert.equal(host?.hostname, hostname(), "rancher-agent runs on the host network");
      assert.equal(
        host?.agentIpAddress,
        testbed.bridgeIp,
        "the agent reaches the server from the machine itself",
      );
      assert.equal(simulator.hosts(simulator.defaultProject.id).length, 1);
    });

    it("docker stop rancher-agent makes the host reconnecting, then disconnected", async () => {
      const stopped = Date.now();
      await docker(testbed, ["stop", "rancher-agent"]);
      assert.ok(Date.now() - stopped < 5000, "rancher-agent stops promptly on SIGTERM");
      const seen: string[] = [];
      await waitFor(
        "host never became disconnected",
        async () => {
          const hosts = (await api(simulator.environmentKey, `${projectUrl}/hosts`)).data as Resource[];
          const state = hosts[0]?.state ?? "gone";
          if (seen.at(-1) !== state) seen.push(state);
          return state === "disconnected";
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      assert.deepEqual(seen, ["active", "reconnecting", "disconnected"]);
    });
  },
);
