// The fake rancher/rancher-agent (2.x) behaves as the real one does at registration: it checks the CA checksum
// (crash-looping on a mismatch), needs the Docker socket, registers its node through the tunnel endpoint with the
// node's name, addresses, roles, labels and taints, and connects again when the tunnel drops.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { e2eTestbed } from "../support/testbed/env.js";
import { docker, resetEngine, tryDocker } from "../support/testbed/engine.js";
import type { TestbedInfo } from "../support/testbed/testbed.js";
import { waitFor } from "../support/testbed/wait.js";

const e2e = e2eTestbed();
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----";
const CHECKSUM = createHash("sha256").update(`${PEM}\n`).digest("hex");
const TOKEN = "ngq2cd9wfpxcvjcdrrdkdwrc9xfk22xcxxqckcwgmrgwfxmw94hfxx";
const COMMAND_OPTIONS = [
  ...["--privileged", "--restart=unless-stopped", "--net=host"],
  ...["-v", "/etc/kubernetes:/etc/kubernetes", "-v", "/var/run:/var/run"],
];

interface Tunnel {
  path: string;
  token: string;
  params: { node: Record<string, unknown> };
}

describe("fake rancher/rancher-agent", { skip: e2e.skip }, () => {
  let testbed: TestbedInfo;
  let server: Server;
  let tunnels: Tunnel[];
  let refusal: string | undefined;
  let serverUrl: string;

  before(async () => {
    testbed = e2e.testbed();
    server = createServer((request, response) => {
      if (request.url === "/ping") response.end("pong");
      else if (request.url === "/v3/settings/cacerts") response.end(JSON.stringify({ value: PEM }));
      else response.writeHead(503).end();
    });
    // Accepts each tunnel, then drops it after a second, as a restarting server would; or refuses it.
    server.on("upgrade", (request: IncomingMessage, socket) => {
      if (refusal) {
        socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n${refusal}`);
        return;
      }
      tunnels.push({
        path: request.url ?? "",
        token: String(request.headers["x-api-tunnel-token"]),
        params: JSON.parse(Buffer.from(String(request.headers["x-api-tunnel-params"]), "base64").toString()),
      });
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
      setTimeout(() => socket.end(), 1000);
    });
    await new Promise<void>((resolve) => server.listen(0, testbed.bridgeIp, resolve));
    serverUrl = `http://${testbed.bridgeIp}:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(async () => {
    tunnels = [];
    refusal = undefined;
    await resetEngine(testbed);
  });
  after(async () => {
    await resetEngine(testbed);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const agent = (options: string[], checksum: string, ...nodeArgs: string[]) =>
    tryDocker(testbed, [
      ...["run", "-d", "--name", "agent", ...options, testbed.rancher2AgentImage],
      ...["--server", serverUrl, "--token", TOKEN, "--ca-checksum", checksum, ...nodeArgs],
    ]);
  const logs = async () => {
    const { stdout, stderr } = await tryDocker(testbed, ["logs", "agent"]);
    return stdout + stderr;
  };

  it("registers its node through the tunnel, keeps the CA, connects again when the tunnel drops", async () => {
    await agent(
      COMMAND_OPTIONS,
      CHECKSUM,
      ...["--node-name", "node-01", "--address", "10.0.0.11"],
      "--etcd",
      "--worker",
      ...["--internal-address", "192.168.0.11", "--label", "zone=a", "--label", "disk=ssd"],
      ...["--taints", "dedicated=infra:NoSchedule"],
    );
    await waitFor("no second tunnel", async () => tunnels.length >= 2, { timeoutMs: 20_000 });

    const [first, second] = tunnels;
    assert.equal(first?.path, "/v3/connect/register");
    assert.equal(second?.path, "/v3/connect", "once registered, it connects without /register");
    assert.equal(first.token, TOKEN);
    const { dockerInfo, ...node } = first.params.node;
    assert.deepEqual(node, {
      customConfig: {
        address: "10.0.0.11",
        internalAddress: "192.168.0.11",
        roles: ["etcd", "worker"],
        label: { zone: "a", disk: "ssd" },
        taints: ["dedicated=infra:NoSchedule"],
      },
      etcd: true,
      controlPlane: false,
      worker: true,
      requestedHostname: "node-01",
    });
    assert.match(String((dockerInfo as { ServerVersion?: string }).ServerVersion), /^\d+\./);
    const serverca = await docker(testbed, [
      ...["run", "--rm", "-v", "/etc/kubernetes:/k", "--entrypoint", "cat", testbed.rancher2AgentImage],
      "/k/ssl/certs/serverca",
    ]);
    assert.equal(serverca, PEM, "the engine's machine holds the server's CA");
    assert.doesNotMatch(await logs(), new RegExp(TOKEN), "the token is redacted in its output");
  });

  it("reports a refused tunnel with the server's text, and keeps trying", async () => {
    refusal = 'nodes.management.cattle.io "m-3429e0b1fe17" not found';
    await agent(COMMAND_OPTIONS, CHECKSUM, "--node-name", "node-01", "--worker");
    const line =
      /^ERROR: Failed to connect to proxy\. Response status: HTTP\/1\.1 400 Bad Request\. Response body: nodes\.management\.cattle\.io "m-3429e0b1fe17" not found$/m;
    await waitFor("no refusal reported", async () => line.test(await logs()), { timeoutMs: 20_000 });
    assert.equal(await docker(testbed, ["inspect", "-f", "{{.State.Running}}", "agent"]), "true");
  });

  it("exits 1 on a CA checksum mismatch, and its restart policy restarts it", async () => {
    const wrong = "0".repeat(64);
    await agent(COMMAND_OPTIONS, wrong, "--worker");
    // Between two runs the engine shows the last exit code while it waits to restart the container.
    await waitFor(
      "not seen waiting to restart after exit code 1",
      async () =>
        (await docker(testbed, ["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "agent"])) ===
        "restarting 1",
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    assert.match(
      await logs(),
      new RegExp(
        `^ERROR: Configured cacerts checksum \\(${CHECKSUM}\\) does not match given --ca-checksum \\(${wrong}\\)$`,
        "m",
      ),
    );
    assert.equal(tunnels.length, 0, "it never registered");
  });

  it("refuses to start without the Docker socket under /var/run", async () => {
    await agent(["--net=host"], CHECKSUM, "--worker");
    await waitFor(
      "still running",
      async () => (await docker(testbed, ["inspect", "-f", "{{.State.Status}}", "agent"])) === "exited",
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    assert.match(
      await logs(),
      /^ERROR: Please bind mount in the docker socket to \/var\/run\/docker\.sock$/m,
    );
    assert.equal(tunnels.length, 0);
  });
});
