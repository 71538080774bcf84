// `up` against an HTTPS Rancher (the simulator serving a certificate made here, the registration URL HTTPS too): with
// --ca-cert our calls verify the server and the agent is given the same CA before it starts; without it, a
// certificate we cannot verify stops us before any request, naming it and the ways out; --insecure is ours only.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TestCertificates, type Certificate } from "../support/certificates.js";
import { watchContainerStarts } from "../support/container-watch.js";
import { e2e, useE2eWorld } from "../support/e2e.js";

const ROLE = "io.rancher-enroll.role";

describe("up over HTTPS", { skip: e2e.skip }, () => {
  const world = useE2eWorld();
  const certificates = new TestCertificates();
  const ca = certificates.authority("rancher-enroll test CA");
  let signed: Certificate;
  let selfSigned: Certificate;

  before(() => {
    // The address the CLI, the bootstrap container and rancher-agent all reach the simulator at.
    const name = { commonName: "rancher.test", ips: [world.testbed.bridgeIp, "127.0.0.1"] };
    signed = certificates.server(name, ca);
    selfSigned = certificates.server(name, "self-signed");
  });
  after(() => certificates.remove());

  const serve = (certificate: Certificate) =>
    world.simulate({ tls: { key: certificate.key, cert: certificate.cert } });

  it("--ca-cert: our calls verify the server with it; the agent gets it first (certificates only) and trusts the server too", async () => {
    await serve(signed);
    const watch = await watchContainerStarts();
    // A file that also holds the CA's key: the key must reach neither the engine nor the agent.
    const withKey = certificates.file("ca-and-key.pem", `${ca.key}${ca.cert}`);
    const run = await world.cli(["up", "--ca-cert", withKey, "--output", "json"]);
    watch.stop();
    assert.equal(run.code, 0, run.stderr);

    const [token] = world.simulator.tokens("1a5");
    assert.match(token!.registrationUrl!, /^https:\/\//, "the agent registers over HTTPS");
    assert.equal(
      await readFile(join(world.testbed.rancherDir, "etc/ssl/ca.crt"), "utf8"),
      ca.cert,
      "the CA is where the agent looks for it, as the agent's bind mount sees /var/lib/rancher",
    );
    const started = (role: string) => watch.started.find((c) => c.Config.Labels?.[ROLE] === role);
    const [install, bootstrap] = [started("install-ca"), started("bootstrap")];
    assert.ok(install && bootstrap, "both one-shot containers were seen");
    assert.ok(
      install.State.StartedAt < bootstrap.State.StartedAt,
      "the CA is in place before the agent starts",
    );
    assert.deepEqual(install.HostConfig.Binds, ["/var/lib/rancher:/var/lib/rancher"]);
    assert.doesNotMatch(
      JSON.stringify([install.Path, install.Args, install.Config.Env]),
      /BEGIN/,
      "the CA went by the archive API, not in the container's arguments",
    );
    assert.equal(install.Config.Image, token!.image);

    const [host] = world.simulator.hosts("1a5");
    assert.equal(host?.state, "active", "rancher-agent reported over HTTPS, trusting the CA");
    assert.equal((run.json().host as { id: string }).id, host.id);
    assert.match(run.stderr, /installed the CA CN=rancher-enroll test CA for the agent/);
  });

  for (const [what, certificate, issuer] of [
    ["a self-signed certificate", () => selfSigned, "rancher.test"],
    ["a certificate from a CA it was not given", () => signed, "rancher-enroll test CA"],
  ] as const) {
    it(`${what}: exit 8 naming the certificate and the two ways out, before any request`, async () => {
      await serve(certificate());
      const run = await world.cli(["up", "--output", "json"]);
      assert.equal(run.code, 8, run.stderr);
      const { error } = run.json() as { error: { kind: string; message: string; hint: string } };
      assert.equal(error.kind, "server");
      assert.match(
        error.message,
        new RegExp(
          `^the TLS certificate of https://${world.testbed.bridgeIp}:\\d+ is not trusted \\(.+\\): ` +
            `subject "CN=rancher\\.test", issued by "CN=${issuer}"`,
        ),
      );
      assert.match(error.hint, /--ca-cert FILE/);
      assert.match(error.hint, /--insecure/);
      assert.ok(run.stderr.includes(error.message), "the message is on stderr too");
      assert.deepEqual(world.simulator.requests, [], "no request, so no credential, reached the server");
      assert.deepEqual(await world.containers(), [], "nothing launched");
    });
  }

  it("--insecure: our calls go through with a loud warning; the agent, which has no such mode, refuses", async () => {
    await serve(signed);
    const run = await world.cli(["up", "--insecure"]);
    assert.equal(run.code, 6, run.stderr);
    assert.match(run.stderr, /--insecure: the TLS certificate of https:\S+ is NOT verified/);
    assert.ok(world.requests("GET", /^\/v2-beta\//).length > 0, "our API calls went through");
    assert.match(
      run.stderr,
      /ERROR: https:\/\/\S+\/v1 is not accessible \(certificate verify failed: unable to get local issuer certificate\)/,
    );
    assert.deepEqual(world.simulator.hosts("1a5"), [], "no host registered");
  });
});
