// The Rancher client under server faults, against the simulator: retries with backoff, Retry-After, no retry of
// client errors, invalid JSON, and the command's deadline bounding it all.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { Deadline } from "../../src/deadline.js";
import { EnrollError } from "../../src/errors.js";
import { ApiClient } from "../../src/rancher/http.js";
import { startSimulator, type Simulator } from "../support/simulator/index.js";
import { anything } from "../../src/schema.js";
import { collection } from "../../src/rancher/pages.js";

const log = pino({ level: "silent" });
const PROJECTS = "v2-beta/projects";

describe("the API client under faults", () => {
  let simulator: Simulator;
  const client = (seconds = 20) =>
    new ApiClient(simulator.url, simulator.environmentKey, log, new Deadline(seconds));
  const apiRequests = () => simulator.requests.filter((r) => r.path.startsWith("/v2-beta"));

  before(async () => {
    simulator = await startSimulator();
  });
  after(() => simulator.close());

  it("retries 5xx answers and succeeds", async () => {
    simulator.clearRequests();
    simulator.faults.failNext(3, 503);
    const projects = await client().get(PROJECTS, collection(anything));
    assert.equal(projects.data.length, 1);
    assert.deepEqual(
      apiRequests().map((r) => r.status),
      [503, 503, 503, 200],
    );
  });

  it("waits as long as Retry-After says before the next attempt", async () => {
    simulator.clearRequests();
    simulator.faults.rateLimitNext(1, 2);
    await client().get(PROJECTS, anything);
    const [limited, retried] = apiRequests();
    assert.equal(limited?.status, 429);
    assert.ok(retried!.time - limited!.time >= 2000, `retried after ${retried!.time - limited!.time} ms`);
  });

  it("does not retry client errors", async () => {
    simulator.clearRequests();
    await assert.rejects(
      client().get(`${PROJECTS}/1a999`, anything),
      (error: EnrollError) => error.kind === "auth",
    );
    assert.equal(apiRequests().length, 1);
  });

  it("stops retrying at the deadline, saying how often it tried", async () => {
    simulator.faults.failNext(1000, 503);
    const started = Date.now();
    await assert.rejects(
      client(3).get(PROJECTS, anything),
      (error: EnrollError) =>
        error.kind === "server" && /answered 503 .*after \d+ attempts/.test(error.message),
    );
    assert.ok(Date.now() - started < 4500, `gave up after ${Date.now() - started} ms`);
    simulator.faults.reset();
  });

  it("says so when the answer is not JSON", async () => {
    const notRancher = createServer((_, response) => response.end("<html>a login page</html>"));
    await new Promise<void>((resolve) => notRancher.listen(0, "127.0.0.1", resolve));
    const { port } = notRancher.address() as AddressInfo;
    const api = new ApiClient(`http://127.0.0.1:${port}`, simulator.environmentKey, log, new Deadline(5));
    await assert.rejects(
      api.get(PROJECTS, anything),
      (error: EnrollError) => error.kind === "server" && /not JSON/.test(error.message),
    );
    notRancher.close();
  });
});
