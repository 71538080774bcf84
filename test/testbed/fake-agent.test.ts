// The fake rancher/agent's bootstrap refuses the same setups the real one refuses: each case ends with an
// `ERROR:` line, a non-zero exit and no rancher-agent container.
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { TestCertificates } from "../support/certificates.js";
import type { CommandResult } from "../support/testbed/command.js";
import { e2eTestbed } from "../support/testbed/env.js";
import { resetEngine, tryDocker } from "../support/testbed/engine.js";
import { freePort } from "../support/testbed/net.js";
import type { TestbedInfo } from "../support/testbed/testbed.js";

const e2e = e2eTestbed();
const DOCKER_SOCKET = ["-v", "/var/run/docker.sock:/var/run/docker.sock"];
const RANCHER_DIR = ["-v", "/var/lib/rancher:/var/lib/rancher"];
const NOT_A_SCRIPT = '{"type":"error","status":404}';

describe("fake agent bootstrap failures", { skip: e2e.skip }, () => {
  let testbed: TestbedInfo;
  let unreachableUrl: string;

  before(async () => {
    testbed = e2e.testbed();
    unreachableUrl = `http://${testbed.bridgeIp}:${await freePort(testbed.bridgeIp)}/v1/scripts/TOKEN`;
  });
  beforeEach(() => resetEngine(testbed));
  after(() => resetEngine(testbed));

  async function bootstrap(options: string[], url: string): Promise<CommandResult> {
    return tryDocker(testbed, ["run", "--rm", "--privileged", ...options, testbed.agentImage, url]);
  }

  async function assertRefused(result: CommandResult, error: RegExp): Promise<void> {
    assert.notEqual(result.code, 0, `exit code\n${result.stdout}${result.stderr}`);
    assert.match(result.stderr, error);
    const agents = await tryDocker(testbed, ["inspect", "rancher-agent"]);
    assert.notEqual(agents.code, 0, "no rancher-agent container was started");
  }

  it("without the Docker socket", async () => {
    const result = await bootstrap([], unreachableUrl);
    await assertRefused(result, /^ERROR: \/var\/run\/docker\.sock is not mounted/m);
  });

  for (const ip of [
    "127.0.0.1",
    "127.1.2.3",
    "0.0.0.0",
    "255.255.255.255",
    "10.0.0",
    "10.0.0.256",
    "host.local",
  ]) {
    it(`with CATTLE_AGENT_IP=${ip}`, async () => {
      const result = await bootstrap([...DOCKER_SOCKET, "-e", `CATTLE_AGENT_IP=${ip}`], unreachableUrl);
      await assertRefused(result, /^ERROR: Invalid CATTLE_AGENT_IP/m);
    });
  }

  for (const host of ["localhost:8080", "127.0.0.1"]) {
    it(`with a server URL on ${host}`, async () => {
      const result = await bootstrap(DOCKER_SOCKET, `http://${host}/v1/scripts/TOKEN`);
      await assertRefused(result, /^ERROR: Rancher server URL can not be localhost or 127\.0\.0\.1/m);
    });
  }

  it("with --net=host: its hostname is the machine's, so it cannot find its own container", async () => {
    const result = await bootstrap([...DOCKER_SOCKET, "--net=host"], unreachableUrl);
    await assertRefused(result, /^ERROR: Cannot inspect container .* to find the agent image/m);
  });

  it("when the server cannot be reached: retries, then gives up", async () => {
    const result = await bootstrap(DOCKER_SOCKET, unreachableUrl);
    await assertRefused(result, /^ERROR: Could not reach http:\/\/[\d.]+:\d+\/v1\. Giving up\.$/m);
    const attempts = result.stderr.match(/is not accessible \(.*Connection refused\)$/gm) ?? [];
    assert.equal(attempts.length, 10);
  });

  describe("when the registration URL does not return a script", () => {
    let server: Server;
    let url: string;

    before(async () => {
      server = createServer((_request, response) => response.end(NOT_A_SCRIPT));
      await new Promise<void>((resolve) => server.listen(0, testbed.bridgeIp, resolve));
      url = `http://${testbed.bridgeIp}:${(server.address() as AddressInfo).port}/v1/scripts/TOKEN`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("prints what it got and stops", async () => {
      const result = await bootstrap(DOCKER_SOCKET, url);
      await assertRefused(result, /^ERROR: .* did not return a registration script$/m);
      assert.match(result.stdout, /"type":"error"/);
    });
  });

  // Like the real agent: the CA in /var/lib/rancher/etc/ssl/ca.crt is trusted, the image has no other for a private
  // server, and there is no insecure mode.
  describe("over HTTPS", () => {
    const certificates = new TestCertificates();
    const ca = certificates.authority("fake agent test CA");
    const otherCa = certificates.authority("another CA");
    let server: Server;
    let url: string;

    before(async () => {
      const { key, cert } = certificates.server({ commonName: "rancher.test", ips: [testbed.bridgeIp] }, ca);
      server = createTlsServer({ key, cert }, (_request, response) => response.end(NOT_A_SCRIPT));
      await new Promise<void>((resolve) => server.listen(0, testbed.bridgeIp, resolve));
      url = `https://${testbed.bridgeIp}:${(server.address() as AddressInfo).port}/v1/scripts/TOKEN`;
    });
    after(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      certificates.remove();
    });

    const installCa = async (pem: string) => {
      await mkdir(join(testbed.rancherDir, "etc/ssl"), { recursive: true });
      await writeFile(join(testbed.rancherDir, "etc/ssl/ca.crt"), pem);
    };
    const verifyFailed =
      /^ERROR: https:\/\/[\d.]+:\d+\/v1 is not accessible \(certificate verify failed: unable to get local issuer certificate\)$/m;

    it("without ca.crt: certificate verify failed, retried, then gives up", async () => {
      await assertRefused(await bootstrap([...DOCKER_SOCKET, ...RANCHER_DIR], url), verifyFailed);
    });

    it("with the CA of another server in ca.crt: the same", async () => {
      await installCa(otherCa.cert);
      await assertRefused(await bootstrap([...DOCKER_SOCKET, ...RANCHER_DIR], url), verifyFailed);
    });

    it("with the server's CA in ca.crt: trusts the server", async () => {
      await installCa(ca.cert);
      const result = await bootstrap([...DOCKER_SOCKET, ...RANCHER_DIR], url);
      await assertRefused(result, /^ERROR: .* did not return a registration script$/m);
      assert.doesNotMatch(result.stderr, /certificate verify failed/);
    });
  });
});
