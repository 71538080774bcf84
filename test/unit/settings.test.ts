import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveUpSettings } from "../../src/config/settings.js";
import { EnrollError } from "../../src/errors.js";

const env = { RANCHER_URL: "http://srv:8080/v2-beta", RANCHER_ACCESS_KEY: "AK", RANCHER_SECRET_KEY: "SK" };
const quiet = () => undefined;

test("flags win over the environment variables of Rancher's CLI", () => {
  const settings = resolveUpSettings(
    { url: "http://other:9000", accessKey: "FLAGAK" },
    { ...env, RANCHER_ENVIRONMENT: "Prod" },
    quiet,
  );
  assert.equal(settings.server.url, "http://other:9000");
  assert.equal(settings.server.accessKey, "FLAGAK");
  assert.equal(settings.server.secretKey, "SK");
  assert.equal(settings.environment, "Prod");
  assert.equal(settings.timeoutSeconds, 600);
});

test("a secret key given as a flag is accepted with a warning", () => {
  const warnings: string[] = [];
  resolveUpSettings({ secretKey: "FLAGSK" }, env, (message) => warnings.push(message));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /shell history/);
  assert.doesNotMatch(warnings[0]!, /FLAGSK/);
});

test("bad input is a usage error naming the setting", () => {
  const cases: [object, Record<string, string>, RegExp][] = [
    [{}, {}, /server URL is not set/],
    [{}, { RANCHER_URL: "http://srv" }, /access key is not set/],
    [{}, { RANCHER_URL: "http://srv", RANCHER_ACCESS_KEY: "a" }, /secret key is not set/],
    [{ environment: " " }, env, /environment is empty/],
    [{ timeout: "ten" }, env, /--timeout must be a positive number/],
    [{ timeout: "0" }, env, /--timeout must be a positive number/],
    [{ label: ["novalue"] }, env, /invalid label "novalue": it has no '='/],
    [{ label: ["bad key=x"] }, env, /invalid label "bad key=x"/],
    [{ label: ["a=1", "a=2"] }, env, /given twice/],
    [{ agentIp: "10.0.0" }, env, /not a dotted IPv4/],
    [{ agentIp: "127.0.0.5" }, env, /loopback/],
    [{ agentIp: "0.0.0.0" }, env, /not a host address/],
    [{ agentIp: "255.255.255.255" }, env, /not a host address/],
  ];
  for (const [flags, environment, message] of cases) {
    assert.throws(
      () => resolveUpSettings(flags, environment, quiet),
      (error: unknown) =>
        error instanceof EnrollError && error.kind === "usage" && message.test(error.message),
      String(message),
    );
  }
});

test("labels keep their values verbatim, '=' included", () => {
  const settings = resolveUpSettings({ label: ["role=web", "io.example/tier=a=b c"] }, env, quiet);
  assert.deepEqual(settings.labels, { role: "web", "io.example/tier": "a=b c" });
});
