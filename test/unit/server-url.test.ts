import assert from "node:assert/strict";
import { test } from "node:test";
import { parseServerUrl } from "../../src/config/server-url.js";
import { EnrollError } from "../../src/errors.js";

test("every form users paste from the Rancher UI reduces to the server base, and the API version it names", () => {
  const cases: [string, string, string | undefined, string | undefined][] = [
    ["http://srv:8080", "http://srv:8080", undefined, undefined],
    ["http://srv:8080/", "http://srv:8080", undefined, undefined],
    ["http://srv:8080/v1", "http://srv:8080", undefined, "v1"],
    ["http://srv:8080/v2-beta/", "http://srv:8080", undefined, "v2-beta"],
    ["http://srv:8080/v2-beta/projects/1a5", "http://srv:8080", "1a5", "v2-beta"],
    ["https://srv/v1/projects/1a7/schemas", "https://srv", "1a7", "v1"],
    ["https://proxy.example/rancher/v2-beta/projects/1a5", "https://proxy.example/rancher", "1a5", "v2-beta"],
    ["https://rancher.example/v3", "https://rancher.example", undefined, "v3"],
    ["  http://SRV:8080/v2-betax  ", "http://srv:8080/v2-betax", undefined, undefined],
  ];
  for (const [input, base, projectHint, apiVersion] of cases) {
    const expected = { base, ...(projectHint ? { projectHint } : {}), ...(apiVersion ? { apiVersion } : {}) };
    assert.deepEqual(parseServerUrl(input), expected, input);
  }
});

test("malformed URLs, other schemes and embedded credentials are usage errors", () => {
  for (const input of [
    "srv:8080",
    "not a url",
    "ftp://srv",
    "http://key:secret@srv:8080",
    "http:///v1",
    "http:/srv",
  ]) {
    assert.throws(
      () => parseServerUrl(input),
      (error: unknown) => error instanceof EnrollError && error.kind === "usage",
      input,
    );
  }
});

test("a URL that fails to parse is not echoed with its password", () => {
  for (const input of [
    "https://admin:S3cret@host:99999",
    "admin:S3cret@host:99999/v1",
    "http://admin:S3cret@",
  ]) {
    assert.throws(
      () => parseServerUrl(input),
      (error: unknown) =>
        error instanceof EnrollError &&
        error.kind === "usage" &&
        !`${error.message}${error.hint}`.includes("S3cret"),
      input,
    );
  }
});

test("http:///v1 has no host part (WHATWG would take v1 as the host; curl refuses it)", () => {
  assert.throws(() => parseServerUrl("http:///v1"), /no host part/);
});
