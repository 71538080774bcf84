// The API client over HTTPS and through proxies, against the simulator serving a certificate made here: the CA
// given is trusted, a certificate it cannot verify is refused before any request (so before any credential) goes
// out, with a message naming the certificate and the ways out; HTTP(S)_PROXY and NO_PROXY, in either case, decide
// the route, through a real forward proxy.
import assert from "node:assert/strict";
import { after, afterEach, describe, it } from "node:test";
import { pino } from "pino";
import { readCaCertificate } from "../../src/config/ca-cert.js";
import { Deadline } from "../../src/deadline.js";
import { EnrollError } from "../../src/errors.js";
import { ApiClient } from "../../src/rancher/http.js";
import type { TlsSettings } from "../../src/rancher/transport.js";
import { TestCertificates, type Certificate } from "../support/certificates.js";
import { startForwardProxy, type ForwardProxy } from "../support/forward-proxy.js";
import { startSimulator, type Simulator } from "../support/simulator/index.js";
import { anything } from "../../src/schema.js";
import { collection } from "../../src/rancher/pages.js";

const PROJECTS = "v2-beta/projects";
const certificates = new TestCertificates();
after(() => certificates.remove());
const ca = certificates.authority("Test Rancher CA");
const otherCa = certificates.authority("Some Other CA");
const NAME = { commonName: "rancher.test", ips: ["127.0.0.1"] };
const signed = certificates.server(NAME, ca);
const trusting = (authority: Certificate): TlsSettings => ({
  caCert: readCaCertificate(authority.certFile, "--ca-cert"),
});

let simulator: Simulator | undefined;
let warnings: string[] = [];
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
  warnings = [];
});

async function serve(certificate?: Certificate): Promise<Simulator> {
  simulator = await startSimulator(
    certificate ? { tls: { key: certificate.key, cert: certificate.cert } } : {},
  );
  return simulator;
}

function client(server: Simulator, tls: TlsSettings = {}): ApiClient {
  const log = pino({ level: "warn" }, { write: (line: string) => warnings.push(line) });
  return new ApiClient(server.url, server.environmentKey, log, new Deadline(10), tls);
}

/** The refusal: exit code 8, the certificate named, no request (and so no credential) sent. */
async function assertRefused(
  server: Simulator,
  tls: TlsSettings,
  message: RegExp,
  hint: RegExp[],
): Promise<void> {
  await assert.rejects(client(server, tls).get(PROJECTS, anything), (error: unknown) => {
    assert.ok(error instanceof EnrollError);
    assert.equal(error.kind, "server");
    assert.equal(error.exitCode, 8);
    assert.match(error.message, message);
    for (const way of hint) assert.match(error.hint ?? "", way);
    return true;
  });
  assert.deepEqual(server.requests, [], "nothing reached the server");
}

describe("the API client over HTTPS", () => {
  it("verifies the server with the CA given", async () => {
    const server = await serve(signed);
    assert.match(server.url, /^https:/);
    const projects = await client(server, trusting(ca)).get(PROJECTS, collection(anything));
    assert.equal(projects.data.length, 1);
    assert.deepEqual(warnings, []);
  });

  it("refuses a self-signed certificate, naming it and the two ways out", async () => {
    const server = await serve(certificates.server(NAME, "self-signed"));
    await assertRefused(
      server,
      {},
      /^the TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \(self-signed certificate\): subject "CN=rancher\.test", issued by "CN=rancher\.test", names IP Address:127\.0\.0\.1, valid from .* SHA-256 fingerprint [0-9A-F:]{95}$/,
      [/Give the CA that signed it with --ca-cert FILE/, /--insecure/],
    );
  });

  it("refuses a certificate from a CA it was not given", async () => {
    await assertRefused(
      await serve(signed),
      {},
      /is not trusted \(unable to verify the first certificate\): subject "CN=rancher\.test", issued by "CN=Test Rancher CA"/,
      [/--ca-cert FILE/, /--insecure/],
    );
  });

  it("says so when the CA given did not sign the certificate", async () => {
    await assertRefused(
      await serve(signed),
      trusting(otherCa),
      /is not trusted .*issued by "CN=Test Rancher CA"/,
      [/It is not signed by the CA of --ca-cert .* \(CN=Some Other CA\)/, /--insecure/],
    );
  });

  it("refuses a certificate for another name", async () => {
    const elsewhere = certificates.server({ commonName: "elsewhere", ips: ["127.0.0.2"] }, ca);
    await assertRefused(
      await serve(elsewhere),
      trusting(ca),
      /does not name 127\.0\.0\.1 \(.*\): subject "CN=elsewhere".*names IP Address:127\.0\.0\.2/,
      [/Use a server URL with a name the certificate holds/, /--insecure/],
    );
  });

  it("--insecure: goes through a certificate it cannot verify, with a loud warning", async () => {
    const server = await serve(signed);
    const projects = await client(server, { insecure: true }).get(PROJECTS, collection(anything));
    assert.equal(projects.data.length, 1);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /"level":40/);
    assert.match(warnings[0]!, /is NOT verified in rancher-enroll's API calls.*The agent still verifies it/);
  });
});

describe("the API client through a forward proxy", () => {
  const VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];
  let proxy: ForwardProxy;
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  const useVariables = (values: Record<string, string>) => {
    for (const name of VARIABLES) delete process.env[name];
    Object.assign(process.env, values);
  };
  afterEach(async () => {
    useVariables({});
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
    await proxy.close();
  });

  it("HTTPS_PROXY: HTTPS through a CONNECT tunnel, the certificate still verified end to end", async () => {
    proxy = await startForwardProxy();
    const server = await serve(signed);
    useVariables({ HTTPS_PROXY: proxy.url });
    await client(server, trusting(ca)).get(PROJECTS, anything);
    assert.deepEqual(proxy.seen, [`CONNECT 127.0.0.1:${server.port}`]);
    assert.equal(server.requests.length, 1);
  });

  it("https_proxy: a certificate refused behind the proxy is still named", async () => {
    proxy = await startForwardProxy();
    const server = await serve(signed);
    useVariables({ https_proxy: proxy.url });
    await assertRefused(server, {}, /is not trusted .*subject "CN=rancher\.test"/, [/--ca-cert/]);
    assert.ok(proxy.seen.length >= 1 && proxy.seen.every((line) => line.startsWith("CONNECT ")));
  });

  it("http_proxy: plain HTTP forwarded by absolute URL (proxies refuse CONNECT to ports but 443)", async () => {
    proxy = await startForwardProxy();
    const server = await serve();
    useVariables({ http_proxy: proxy.url });
    await client(server).get(PROJECTS, anything);
    assert.deepEqual(proxy.seen, [`GET ${server.url}/${PROJECTS}`]);
  });

  for (const noProxy of ["NO_PROXY", "no_proxy"]) {
    it(`${noProxy} sends the server's requests around the proxy`, async () => {
      proxy = await startForwardProxy();
      const server = await serve();
      useVariables({ HTTP_PROXY: proxy.url, [noProxy]: "localhost,127.0.0.1" });
      await client(server).get(PROJECTS, anything);
      assert.deepEqual(proxy.seen, []);
      assert.equal(server.requests.length, 1);
    });
  }
});
