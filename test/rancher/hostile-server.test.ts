// The API client against hostile and broken servers on loopback: redirects, links to other origins, answers that are
// not JSON, too large, too deep, or never come, TLS spoken to plain HTTP. Credentials go only to the server named
// (in the Authorization header, never the URL) and stay out of every message and logged error.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { Deadline } from "../../src/deadline.js";
import { TextFormatter } from "../../src/log-text.js";
import { ApiClient } from "../../src/rancher/http.js";
import { TestCertificates } from "../support/certificates.js";
import { failure, Hostile, json } from "../support/hostile-server.js";
import { anything } from "../../src/schema.js";

const KEY = { accessKey: "AK0123456789", secretKey: "sEcReT-0123456789abcdef" };
const BASIC = Buffer.from(`${KEY.accessKey}:${KEY.secretKey}`).toString("base64");

/** A logger at debug level whose every line is kept, to look for secrets in. */
function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: "debug" }, sink), text: () => lines.join("") };
}

function assertNoSecret(text: string, where: string): void {
  assert.ok(!text.includes(KEY.secretKey), `the secret key in ${where}: ${text}`);
  assert.ok(!text.includes(BASIC), `the basic-auth header in ${where}`);
}

describe("the API client against a hostile server", () => {
  const certificates = new TestCertificates();
  let tls: Hostile;
  let plain: Hostile;
  let elsewhere: Hostile;
  const client = (base: string, seconds = 10, log = pino({ level: "silent" })) =>
    new ApiClient(base, KEY, log, new Deadline(seconds), { insecure: base.startsWith("https") });

  before(async () => {
    const cert = certificates.server({ commonName: "127.0.0.1", ips: ["127.0.0.1"] }, "self-signed");
    tls = await new Hostile(createTlsServer({ key: cert.key, cert: cert.cert })).listen("https");
    plain = await new Hostile(createServer()).listen("http");
    elsewhere = await new Hostile(createServer()).listen("http");
  });
  after(() => {
    for (const server of [tls, plain, elsewhere]) server.close();
    certificates.remove();
  });

  it("sends the key in an Authorization header, never in the URL", async () => {
    plain.reset(json({ data: [] }));
    await client(plain.url).get("v2-beta/projects", anything);
    assert.deepEqual(plain.seen, [
      { method: "GET", url: "/v2-beta/projects", authorization: `Basic ${BASIC}` },
    ]);
  });

  it("sends a 2.x API token as Bearer, and keeps it out of messages", async () => {
    const token = "token-abcde:0123456789secretpart0123456789";
    plain.reset((_, response) => response.end("<html>sso</html>"));
    const api = new ApiClient(plain.url, { token }, pino({ level: "silent" }), new Deadline(5));
    const error = await failure(api.get("v3/clusters", anything));
    assert.equal(plain.seen[0]?.authorization, `Bearer ${token}`);
    assert.ok(!`${error.message}${String(error.cause)}`.includes("secretpart"), error.message);
  });

  it("refuses an https to http redirect on the same host, and any other: exit 8 naming the location", async () => {
    elsewhere.reset(json({ data: [] }));
    for (const [server, location] of [
      [tls, `${elsewhere.url}/v2-beta/projects`],
      [tls, tls.url.replace("https:", "http:") + "/v2-beta/projects"],
      [plain, "/v2-beta/other"],
    ] as const) {
      server.reset((_, response) => {
        response.writeHead(307, { location });
        response.end();
      });
      const error = await failure(
        client(server.url).post("v2-beta/projects/1a5/registrationtokens", anything),
      );
      assert.equal(error.exitCode, 8, error.message);
      assert.match(error.message, /redirected \(307\) to .*not followed/);
      assert.ok(error.message.includes(location), error.message);
      assert.equal(server.seen.length, 1, "asked once, not re-sent");
    }
    assert.equal(elsewhere.seen.length, 0, "nothing reached the other origin");
  });

  it("follows links from the server on its own origin only, whatever their spelling", async () => {
    const other = elsewhere.url.replace("http://", "");
    elsewhere.reset(json({ data: [] }));
    for (const link of [
      `//${other}/v2-beta/x`,
      `HTTP://${other}/v2-beta/x`,
      ` http://${other}/v2-beta/x`,
      `\thttp://${other}/v2-beta/x`,
      `/\\${other}/v2-beta/x`,
      `http://${other}//${other}/v2-beta/x`,
    ]) {
      plain.reset(json({ data: [] }));
      await client(plain.url).get(link, anything);
      assert.equal(plain.seen.length, 1, JSON.stringify(link));
      assert.equal(plain.seen[0]!.authorization, `Basic ${BASIC}`);
    }
    assert.equal(elsewhere.seen.length, 0, "nothing reached the other origin");
    plain.reset(json({}));
    const error = await failure(client(plain.url).post("javascript:alert(1)", anything));
    assert.equal(error.exitCode, 8);
    assert.equal(plain.seen.length, 0);
  });

  it("a 2xx that is not JSON: exit 8, and no secret in the message, the cause or the debug log", async () => {
    plain.reset((_, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html>single sign-on</html>");
    });
    const { log, text } = capturingLogger();
    const error = await failure(client(plain.url, 10, log).get("v2-beta/projects", anything));
    assert.equal(error.exitCode, 8);
    assert.match(error.message, /answered 200 with text\/html, not JSON.*not the Rancher API/);
    log.debug({ err: error.cause ?? error }, "failure detail");
    log.debug({ err: error }, "failure detail");
    assertNoSecret(`${text()}${error.message}${error.stack}`, "the error or the log");
  });

  it("a 404 that is not a Rancher error (a web server, a wrong path): exit 8, not 'not found'", async () => {
    plain.reset((_, response) => {
      response.writeHead(404, { "content-type": "text/html" });
      response.end("<h1>Not Found</h1>");
    });
    const error = await failure(client(plain.url).get("v2-beta/projects", anything));
    assert.equal(error.exitCode, 8);
    assert.match(error.message, /GET \/v2-beta\/projects answered 404 with text\/html.*not the Rancher API/);
  });

  it("caps the size of an answer", async () => {
    const chunk = Buffer.alloc(1024 * 1024, " ");
    plain.reset((_, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      const write = () => {
        while (response.write(chunk));
        response.once("drain", write);
      };
      response.on("close", () => response.removeAllListeners("drain"));
      write();
    });
    const error = await failure(client(plain.url).get("v2-beta/projects", anything));
    assert.equal(error.exitCode, 8);
    assert.match(error.message, /answered more than 32 MiB/);
  });

  it("refuses an answer nested deeper than any Rancher answer, quickly", async () => {
    plain.reset(json(null));
    plain.handler = (_, response) => response.end(`${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`);
    const started = Date.now();
    const error = await failure(client(plain.url).get("v2-beta/projects", anything));
    assert.equal(error.exitCode, 8);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  it("a --timeout that runs out while a request waits for its answer: exit 7", async () => {
    plain.reset(() => undefined);
    const error = await failure(client(plain.url, 2).get("v2-beta/projects", anything));
    assert.equal(error.kind, "timeout", error.message);
    assert.equal(error.exitCode, 7);
  });

  it("speaking TLS to a plain HTTP server ends at once, in words", async () => {
    plain.reset(json({ data: [] }));
    const started = Date.now();
    const error = await failure(
      client(plain.url.replace("http:", "https:"), 20).get("v2-beta/projects", anything),
    );
    assert.equal(error.exitCode, 8);
    assert.match(error.message, /does not speak HTTPS/);
    assert.doesNotMatch(error.message, /EPROTO|ssl3/);
    assert.match(error.hint ?? "", /http:\/\/127\.0\.0\.1/);
    assert.ok(Date.now() - started < 3000, "not retried");
  });

  it("an unreachable server: one line says what, where and until when; later retries do not flood", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    closed.close();
    const { log, text } = capturingLogger();
    const error = await failure(client(url, 4, log).get("v2-beta/projects", anything));
    assert.equal(error.exitCode, 8);
    assert.match(error.message, /cannot reach .*\(connection refused\), after \d+ attempts/);
    const warnings = text()
      .split("\n")
      .filter((line) => line.includes('"level":40'));
    assert.equal(warnings.length, 1, text());
    assert.ok(warnings[0]!.includes(url), warnings[0]);
    assert.match(warnings[0]!, /connection refused.*retrying until \d\d:\d\d:\d\d \(--timeout 4\); Ctrl-C/);
  });

  it("strips escape sequences and line breaks the server puts in its messages", async () => {
    plain.reset(
      json(
        {
          type: "error",
          status: 422,
          code: "Invalid",
          message: '\u001b[2J\u001b]0;pwned\u0007\n{"ok":true}',
        },
        422,
      ),
    );
    const error = await failure(client(plain.url).get("v2-beta/projects", anything));
    const text = new TextFormatter("terminal").format(
      { level: 50, msg: error.message, hint: error.hint },
      true,
    );
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f]/);
    assert.ok(!text.split("\n").some((line) => line.startsWith("{")), text);
  });
});
