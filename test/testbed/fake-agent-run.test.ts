// The fake agent's `run` mode, as rancher-agent: it reports to the server's ping endpoint with its agent
// credentials, paced by the server's answer, and says so when the server no longer accepts its credentials.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, before, beforeEach, describe, it } from "node:test";
import { e2eTestbed } from "../support/testbed/env.js";
import { docker, resetEngine, tryDocker } from "../support/testbed/engine.js";
import type { TestbedInfo } from "../support/testbed/testbed.js";
import { waitFor } from "../support/testbed/wait.js";

const e2e = e2eTestbed();

interface Ping {
  time: number;
  path: string;
  authorization: string;
  contentType: string;
  body: string;
}

describe("fake agent run mode", { skip: e2e.skip }, () => {
  let testbed: TestbedInfo;
  let server: Server;
  let pings: Ping[];
  let answer: { status: number; body: string };

  before(() => {
    testbed = e2e.testbed();
  });
  beforeEach(async () => {
    await resetEngine(testbed);
    pings = [];
    server = createServer((request, response) => {
      void record(request).then(() => {
        response.writeHead(answer.status, { "Content-Type": "text/plain" });
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, testbed.bridgeIp, resolve));
  });
  afterEach(async () => {
    await resetEngine(testbed);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function record(request: IncomingMessage): Promise<void> {
    let body = "";
    for await (const chunk of request) body += String(chunk);
    pings.push({
      time: Date.now(),
      path: request.url ?? "",
      authorization: request.headers.authorization ?? "",
      contentType: request.headers["content-type"] ?? "",
      body,
    });
  }

  async function startRancherAgent(env: Record<string, string>): Promise<void> {
    const cattleUrl = `http://${testbed.bridgeIp}:${(server.address() as AddressInfo).port}/v1`;
    const options = Object.entries({ CATTLE_URL: cattleUrl, ...env }).flatMap(([k, v]) => [
      "-e",
      `${k}=${v}`,
    ]);
    await docker(testbed, [
      ...["run", "-d", "--name", "rancher-agent", "--net=host", "--privileged", ...options],
      ...["-v", "/var/run/docker.sock:/var/run/docker.sock", "-v", "/var/lib/rancher:/var/lib/rancher"],
      ...[testbed.agentImage, "run"],
    ]);
  }

  it("pings with its identity and credentials, as often as the server says", async () => {
    answer = { status: 200, body: "1" };
    await startRancherAgent({
      CATTLE_ACCESS_KEY: "AGENTACCESS",
      CATTLE_SECRET_KEY: "agentsecret",
      CATTLE_AGENT_IP: "10.1.2.3",
      CATTLE_HOST_LABELS: "zone=a&role=db",
    });
    await waitFor("fewer than 3 pings", async () => pings.length >= 3, { timeoutMs: 10_000 });

    const [first, second] = pings;
    assert.ok(first && second);
    assert.equal(first.path, "/_sim/agent/ping");
    assert.equal(first.authorization, `Basic ${Buffer.from("AGENTACCESS:agentsecret").toString("base64")}`);
    assert.equal(first.contentType, "text/plain");
    const report = Object.fromEntries(first.body.split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2)));
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    assert.match(report.uuid ?? "", uuid);
    assert.match(report.physicalHostUuid ?? "", uuid);
    assert.notEqual(report.uuid, report.physicalHostUuid);
    assert.ok(report.hostname);
    assert.equal(report.agentIp, "10.1.2.3");
    assert.equal(report.labels, "zone=a&role=db");
    assert.equal(report.image, testbed.agentImage);
    assert.equal(second.body, first.body, "the identity is stable");
    const interval = second.time - first.time;
    assert.ok(interval >= 900 && interval < 3000, `pinged again after ${interval} ms, asked for 1 s`);
  });

  it("reports credentials that are no longer valid", async () => {
    answer = { status: 401, body: '{"type":"error","status":401}' };
    await startRancherAgent({ CATTLE_ACCESS_KEY: "REVOKED", CATTLE_SECRET_KEY: "revoked" });
    let logs = "";
    await waitFor(
      "no ERROR line in the rancher-agent log",
      async () => {
        const { stdout, stderr } = await tryDocker(testbed, ["logs", "rancher-agent"]);
        logs = stdout + stderr;
        return logs.includes("ERROR");
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    assert.match(logs, /^ERROR: Credentials are no longer valid, please re-register this agent$/m);
    assert.equal(await docker(testbed, ["inspect", "-f", "{{.State.Running}}", "rancher-agent"]), "true");
  });
});
