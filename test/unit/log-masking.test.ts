// What our logs hide: a proxy's password in any URL of a line (the `docker run` line passes the proxy variables on).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maskUrlPasswords } from "../../src/log.js";

describe("masking URL passwords", () => {
  it("hides the password of every URL in a line, keeping the user", () => {
    assert.equal(
      maskUrlPasswords(
        "docker run -e HTTPS_PROXY=http://ops:s3cr%40t@proxy:3128 -e http_proxy=https://u:p@10.0.0.1 img http://srv/v1",
      ),
      "docker run -e HTTPS_PROXY=http://ops:***@proxy:3128 -e http_proxy=https://u:***@10.0.0.1 img http://srv/v1",
    );
  });

  it("leaves URLs without a password alone", () => {
    for (const text of [
      "http://proxy:3128",
      "http://user@proxy:3128",
      "https://rancher:8443/v1/scripts/A:1:B",
    ])
      assert.equal(maskUrlPasswords(text), text);
  });
});
