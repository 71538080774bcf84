// `up` with proxy variables, through a real forward proxy on the test bed's bridge (reachable from the CLI and from
// the agent's containers): our API calls take the route the variables say, NO_PROXY included, and the variables
// reach the agent, the bootstrap container and the rancher-agent it starts. The variables here are upper-case:
// the fake agent's busybox wget reads only lower-case ones (as curl does for http_proxy) and cannot POST through a
// proxy, so the agent's own requests go direct; the client tests cover the lower-case variables.
import assert from "node:assert/strict";
import { after, afterEach, beforeEach, describe, it } from "node:test";
import type Docker from "dockerode";
import { TestCertificates } from "../support/certificates.js";
import { watchContainerStarts } from "../support/container-watch.js";
import { e2e, useE2eWorld } from "../support/e2e.js";
import { startForwardProxy, type ForwardProxy } from "../support/forward-proxy.js";

const ROLE = "io.rancher-enroll.role";

describe("up through a forward proxy", { skip: e2e.skip }, () => {
  const world = useE2eWorld();
  let proxy: ForwardProxy;
  beforeEach(async () => {
    proxy = await startForwardProxy(world.testbed.bridgeIp);
  });
  afterEach(() => proxy.close());

  /** The requests the proxy forwarded to the simulator (plain HTTP: by absolute URL) on these paths. */
  const forwarded = (path: RegExp) =>
    proxy.seen.filter((line) => {
      const url = new URL(line.slice(line.indexOf(" ") + 1));
      return url.origin === world.simulator.url && path.test(url.pathname);
    });
  const apiRequests = () => world.simulator.requests.filter((r) => r.path.startsWith("/v2-beta/"));

  async function up(variables: Record<string, string>, args: string[] = []) {
    const watch = await watchContainerStarts();
    const run = await world.cli(["up", "--output", "json", ...args], variables);
    watch.stop();
    assert.equal(run.code, 0, run.stderr);
    const bootstrap = watch.started.find((c) => c.Config.Labels?.[ROLE] === "bootstrap");
    const agent = watch.started.find((c) => c.Name === "/rancher-agent");
    assert.ok(bootstrap && agent, "the bootstrap and rancher-agent containers were seen");
    return { run, containers: [bootstrap, agent] };
  }

  function assertPassedOn(
    containers: Docker.ContainerInspectInfo[],
    variables: Record<string, string>,
  ): void {
    for (const container of containers)
      for (const variable of Object.entries(variables).map(([name, value]) => `${name}=${value}`))
        assert.ok(container.Config.Env.includes(variable), `${variable} in ${container.Name}`);
  }

  it("HTTP_PROXY: every API call goes through the proxy; the variable reaches the agent", async () => {
    const variables = { HTTP_PROXY: proxy.url };
    const { run, containers } = await up(variables);
    assert.ok(apiRequests().length > 0);
    assert.equal(
      forwarded(/^\/v2-beta\//).length,
      apiRequests().length,
      "all our API requests, by the proxy",
    );
    assert.match(run.stderr, new RegExp(`API requests go through the proxy ${proxy.url}`));
    assertPassedOn(containers, variables);
    assert.equal(world.simulator.hosts("1a5")[0]?.state, "active");
  });

  it("NO_PROXY: a server it lists is reached directly; both variables reach the agent", async () => {
    const variables = { HTTP_PROXY: proxy.url, NO_PROXY: `localhost,${world.testbed.bridgeIp}` };
    const { containers } = await up(variables);
    assert.ok(apiRequests().length > 0);
    assert.deepEqual(proxy.seen, [], "nothing went through the proxy");
    assertPassedOn(containers, variables);
  });

  describe("HTTPS", () => {
    const certificates = new TestCertificates();
    const ca = certificates.authority("rancher-enroll test CA");
    after(() => certificates.remove());

    it("HTTPS_PROXY: a CONNECT tunnel, the server still verified with --ca-cert", async () => {
      const name = { commonName: "rancher.test", ips: [world.testbed.bridgeIp] };
      const { key, cert } = certificates.server(name, ca);
      await world.simulate({ tls: { key, cert } });
      const variables = { HTTPS_PROXY: proxy.url };
      const { containers } = await up(variables, ["--ca-cert", ca.certFile]);
      const tunnel = `CONNECT ${new URL(world.simulator.url).host}`;
      assert.ok(proxy.seen.length > 0 && proxy.seen.every((line) => line === tunnel), proxy.seen.join("\n"));
      assert.ok(apiRequests().length > 0);
      assertPassedOn(containers, variables);
    });
  });
});
