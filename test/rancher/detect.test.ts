// Choosing the server line once: from the state file, the URL's path, or the API root the server answers.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { pino } from "pino";
import type { ServerSettings } from "../../src/config/settings.js";
import { Deadline } from "../../src/deadline.js";
import { connectDriver } from "../../src/rancher/detect.js";
import { startSimulator, type Simulator } from "../support/simulator/index.js";

const log = pino({ level: "silent" });

describe("server line detection", () => {
  let simulator: Simulator;
  const settings = (fields: Partial<ServerSettings> = {}): ServerSettings => ({
    url: simulator.url,
    credentials: simulator.environmentKey,
    credentialsFrom: "RANCHER_ACCESS_KEY and RANCHER_SECRET_KEY",
    insecure: false,
    ...fields,
  });
  const apiGets = () => simulator.requests.filter((r) => !r.path.startsWith("/_sim/")).map((r) => r.path);

  beforeEach(async () => {
    simulator = await startSimulator();
  });
  afterEach(() => simulator.close());

  it("a bare URL: one question, the API root, answers Rancher 1.6", async () => {
    const driver = await connectDriver(settings(), log, new Deadline(10));
    assert.equal(driver.line, "cattle");
    assert.deepEqual(apiGets(), ["/v2-beta"]);
  });

  it("a /v2-beta URL or a recorded line: no question at all", async () => {
    assert.equal(
      (await connectDriver(settings({ apiVersion: "v2-beta" }), log, new Deadline(10))).line,
      "cattle",
    );
    assert.equal((await connectDriver(settings(), log, new Deadline(10), "cattle")).line, "cattle");
    assert.deepEqual(apiGets(), []);
  });

  it("wrong keys are said at once, as for any request", async () => {
    const wrong = settings({ credentials: { ...simulator.environmentKey, secretKey: "wrong" } });
    await assert.rejects(connectDriver(wrong, log, new Deadline(10)), { kind: "auth" });
  });
});

describe("server line detection against servers that are not 1.6", () => {
  let server: Server;
  let url = "";
  let answers: Record<string, { type: string; body: string; status?: number }> = {};

  before(async () => {
    server = createServer((request, response) => {
      const answer = answers[request.url ?? ""];
      const status = answer ? (answer.status ?? 200) : 404;
      response.writeHead(status, { "content-type": answer?.type ?? "application/json" });
      response.end(answer?.body ?? JSON.stringify({ type: "error", status: 404 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const connect = () =>
    connectDriver(
      { url, credentials: { token: "token-a:s" }, credentialsFrom: "RANCHER_TOKEN", insecure: false },
      log,
      new Deadline(10),
    );

  it("a 2.x API root is recognised as the v3 line, whatever the server says at /v2-beta", async () => {
    answers = {
      "/v2-beta": { type: "text/html", body: "<html>the UI</html>" },
      "/v3": {
        type: "application/json",
        body: JSON.stringify({ type: "apiRoot", links: { clusters: "x" } }),
      },
    };
    assert.equal((await connect()).line, "v3");
  });

  it("a 2.x server that refuses the token at /v3 (scoped to a cluster) is known by its open version", async () => {
    const refusal = { type: "error", status: "401", message: "Unauthorized 401: must authenticate" };
    answers = {
      "/v3": { type: "application/json", body: JSON.stringify(refusal), status: 401 },
      "/rancherversion": { type: "application/json", body: JSON.stringify({ Version: "v2.8.15" }) },
    };
    assert.equal((await connect()).line, "v3");
    answers = { "/v3": answers["/v3"]! };
    await assert.rejects(connect(), { kind: "auth" });
  });

  it("a server that answers no Rancher API root: exit 8, naming what was asked", async () => {
    answers = { "/v2-beta": { type: "text/html", body: "<html>hello</html>" } };
    await assert.rejects(connect(), (error: Error & { kind: string }) => {
      assert.equal(error.kind, "server");
      assert.match(error.message, /does not answer as a Rancher API \(asked for \/v2-beta and \/v3\)/);
      return true;
    });
  });
});
