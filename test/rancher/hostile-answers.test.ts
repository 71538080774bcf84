// Both server drivers against answers that are JSON but not the Rancher API's: a token creation answered `201 {}`,
// `null`, a string, collections without `data`, paging that loops or never ends. Each is exit 8 ("not the Rancher
// API"), never exit 1, and a creation is never repeated blindly.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { Deadline } from "../../src/deadline.js";
import type { EnrollError } from "../../src/errors.js";
import type { ServerDriver } from "../../src/flows/seam.js";
import { CattleDriver } from "../../src/rancher/cattle/driver.js";
import { connectDriver } from "../../src/rancher/detect.js";
import { ApiClient } from "../../src/rancher/http.js";
import { V3Driver } from "../../src/rancher/v3/driver.js";
import { failure, Hostile, json, type Handler } from "../support/hostile-server.js";

const log = pino({ level: "silent" });
const KEY = { accessKey: "AK0123456789", secretKey: "sEcReT-0123456789abcdef" };
const environment = { id: "1a5", name: "Default" };
const cluster = { id: "c-abcde", name: "dev" };

/** Answers by method and path (query left out); anything not listed is a Rancher 404. */
function routes(table: Record<string, Handler>): Handler {
  return (request, response) => {
    const path = (request.url ?? "").split("?")[0];
    const handler = table[`${request.method} ${path}`];
    if (handler) return handler(request, response);
    json({ type: "error", status: 404, code: "NotFound" }, 404)(request, response);
  };
}

function assertNotTheApi(error: EnrollError): void {
  assert.equal(error.exitCode, 8, error.message);
  assert.match(error.message, /not the Rancher API/);
}

describe("server drivers against answers that are not the Rancher API", () => {
  let server: Hostile;
  const http = (seconds = 10) => new ApiClient(server.url, KEY, log, new Deadline(seconds));
  const cattle = (): ServerDriver => new CattleDriver(http(), log);
  const v3 = (): ServerDriver => new V3Driver(http(), log);
  const posts = () => server.seen.filter((request) => request.method === "POST");

  before(async () => {
    server = await new Hostile(createServer()).listen("http");
  });
  after(() => server.close());

  it("1.6: a token creation answered 201 {} is exit 8 after one creation, not a creation loop", async () => {
    server.reset(
      routes({
        "GET /v2-beta/projects/1a5/registrationtokens": json({ data: [] }),
        "POST /v2-beta/projects/1a5/registrationtokens": json({}, 201),
      }),
    );
    const error = await failure(cattle().obtainJoin(environment, new Deadline(8)));
    assertNotTheApi(error);
    assert.match(error.message, /POST \/v2-beta\/projects\/1a5\/registrationtokens answered 201/);
    assert.equal(posts().length, 1);
  });

  it("2.x: a token creation answered 201 {} is exit 8 after one creation", async () => {
    const tokens = `/v3/clusters/${cluster.id}/clusterregistrationtokens`;
    server.reset(routes({ [`GET ${tokens}`]: json({ data: [] }), [`POST ${tokens}`]: json({}, 201) }));
    const error = await failure(v3().obtainJoin(cluster, new Deadline(8)));
    assertNotTheApi(error);
    assert.equal(posts().length, 1);
  });

  for (const [what, body] of [
    ["null", null],
    ["a string", "hello"],
    ["a collection without data", { type: "collection" }],
    ["data that is not an array", { data: { id: "1h1" } }],
    ["items that are not resources", { data: [null] }],
    ["a resource without its id", { data: [{ hostname: "x", state: "active" }] }],
  ] as const) {
    it(`a host or node list answered with ${what}: exit 8 on both lines`, async () => {
      server.reset(
        routes({
          "GET /v2-beta/projects/1a5/hosts": json(body),
          [`GET /v3/clusters/${cluster.id}/nodes`]: json(body),
        }),
      );
      assertNotTheApi(await failure(cattle().listMembers(environment)));
      assertNotTheApi(await failure(v3().listMembers(cluster)));
    });
  }

  it("a field of the wrong type says which: exit 8", async () => {
    server.reset(
      routes({ "GET /v2-beta/projects": json({ data: [{ id: "1a5", name: 5, state: "active" }] }) }),
    );
    const error = await failure(cattle().findTarget({ nameOrId: "Default", word: "environment" }));
    assertNotTheApi(error);
    assert.match(error.message, /data\[0\]\.name: expected a string, got a number/);
  });

  it("a next-page link that loops is caught at its first repeat, on both lines", async () => {
    const page = (next: string): Handler => json({ data: [], pagination: { next } });
    server.reset(
      routes({
        "GET /v2-beta/projects/1a5/hosts": page(`${server.url}/v2-beta/projects/1a5/hosts?marker=2`),
        [`GET /v3/clusters/${cluster.id}/nodes`]: page(`/v3/clusters/${cluster.id}/nodes?marker=2`),
      }),
    );
    for (const list of [() => cattle().listMembers(environment), () => v3().listMembers(cluster)]) {
      const before = server.seen.length;
      const error = await failure(list());
      assertNotTheApi(error);
      assert.match(error.message, /next-page link repeats/);
      assert.equal(server.seen.length - before, 2, "the first page, and the linked one linking to itself");
    }
  });

  it("paging without end stops at the page cap", async () => {
    let n = 0;
    server.reset(
      routes({
        "GET /v2-beta/projects/1a5/hosts": (request, response) => {
          n += 1;
          json({ data: [], pagination: { next: `/v2-beta/projects/1a5/hosts?marker=${n}` } })(
            request,
            response,
          );
        },
      }),
    );
    const error = await failure(cattle().listMembers(environment));
    assertNotTheApi(error);
    assert.match(error.message, /more than 100 pages/);
    assert.equal(n, 100);
  });
});

describe("refused credentials name where they came from, on both lines", () => {
  let server: Hostile;
  before(async () => {
    server = await new Hostile(createServer()).listen("http");
  });
  after(() => server.close());

  const from = 'profile "prod", /etc/rancher-enroll/credentials line 4';
  for (const [line, apiVersion, credentials] of [
    ["1.6", "v2-beta", KEY],
    ["2.x", "v3", { token: "token-ab12c:s3cr3tpart" }],
  ] as const) {
    it(`${line}: a 401 says the profile and its file, not an environment variable`, async () => {
      server.reset(json({ type: "error", status: 401, code: "Unauthorized", message: "Unauthorized" }, 401));
      const settings = { url: server.url, credentials, credentialsFrom: from, apiVersion, insecure: false };
      const driver = await connectDriver(settings, log, new Deadline(5));
      const error = await failure(driver.findTarget(undefined));
      assert.equal(error.exitCode, 3, error.message);
      assert.ok(error.message.includes(from), error.message);
      assert.ok(error.hint?.includes(from), error.hint);
      assert.doesNotMatch(`${error.message} ${error.hint}`, /RANCHER_(TOKEN|ACCESS_KEY|SECRET_KEY)/);
    });
  }
});
