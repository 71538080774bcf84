// --ca-checksum against an HTTPS v3 simulator with a private CA: the CA the server publishes is read without
// credentials, kept only when its checksum is the pinned one, and then trusted alone; a mismatch stops before
// any credential is sent.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { Deadline } from "../../src/deadline.js";
import { EnrollError } from "../../src/errors.js";
import { ApiClient } from "../../src/rancher/http.js";
import { caChecksum } from "../../src/rancher/v3/ca-checksum.js";
import { serverTls } from "../../src/rancher/v3/ca-pin.js";
import { V3Driver } from "../../src/rancher/v3/driver.js";
import { TestCertificates, type Certificate } from "../support/certificates.js";
import type { V3Simulator } from "../support/simulator/v3/index.js";
import { startFastV3 } from "../simulator/v3-helpers.js";

const log = pino({ level: "silent" });
const wanted = { nameOrId: "dev-rke1", word: "cluster" as const };

describe("--ca-checksum pins the server's CA", () => {
  const pki = new TestCertificates();
  let authority: Certificate;
  let sim: V3Simulator;
  before(async () => {
    authority = pki.authority("pinned ca");
    const server = pki.server({ commonName: "rancher.test", ips: ["127.0.0.1"] }, authority);
    sim = await startFastV3({
      tls: { key: server.key, cert: server.cert },
      cacerts: authority.cert.trimEnd(),
    });
  });
  after(async () => {
    await sim.close();
    pki.remove();
  });

  async function connect(server: V3Simulator, pinned: string): Promise<V3Driver> {
    const deadline = new Deadline(10);
    const tls = await serverTls({ url: server.url, insecure: false, caChecksum: pinned }, log, deadline);
    const keys = { accessKey: server.adminToken.accessKey, secretKey: server.adminToken.secretKey };
    return new V3Driver(new ApiClient(server.url, keys, log, deadline, tls), log);
  }

  it("the matching checksum makes a private-CA server usable without --ca-cert", async () => {
    const driver = await connect(sim, caChecksum(authority.cert));
    assert.equal((await driver.findTarget(wanted)).name, "dev-rke1");
  });

  it("a mismatch is exit 8 naming both checksums, and no credential reached the server", async () => {
    sim.clearRequests();
    const wrong = "0".repeat(64);
    await assert.rejects(connect(sim, wrong), (error: EnrollError) => {
      assert.equal(error.kind, "server");
      assert.ok(
        error.message.includes(caChecksum(authority.cert)) && error.message.includes(wrong),
        error.message,
      );
      assert.match(error.message, /no credential was sent/);
      return true;
    });
    assert.deepEqual(
      sim.requests.map((r) => [r.method, r.path, r.accessKey]),
      [["GET", "/v3/settings/cacerts", undefined]],
    );
  });

  it("the pinned CA is trusted alone: a certificate another CA signed is refused", async () => {
    const other = pki.authority("other ca");
    const server = pki.server({ commonName: "rancher.test", ips: ["127.0.0.1"] }, other);
    // The server publishes the pinned CA, but presents a certificate it did not sign.
    const impostor = await startFastV3({
      tls: { key: server.key, cert: server.cert },
      cacerts: authority.cert.trimEnd(),
    });
    try {
      const driver = await connect(impostor, caChecksum(authority.cert));
      await assert.rejects(
        driver.findTarget(wanted),
        (error: EnrollError) => error.kind === "server" && /certificate/i.test(error.message),
      );
      assert.ok(
        impostor.requests.every((r) => r.path === "/v3/settings/cacerts" || r.accessKey === undefined),
      );
    } finally {
      await impostor.close();
    }
  });

  it("a server that publishes no CA is exit 8", async () => {
    const publicCa = await startFastV3({ cacerts: "" });
    try {
      await assert.rejects(connect(publicCa, caChecksum(authority.cert)), /publishes no CA/);
    } finally {
      await publicCa.close();
    }
  });
});
