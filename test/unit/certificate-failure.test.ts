// Each kind of certificate failure Node.js reports becomes an error that names the certificate and says what to do
// (test/rancher/client-tls.test.ts has them from real TLS connections; expiry cannot be made there with openssl).
import assert from "node:assert/strict";
import type { PeerCertificate } from "node:tls";
import { describe, it } from "node:test";
import { certificateFailure, isCertificateFailure } from "../../src/rancher/certificate-failure.js";

const ORIGIN = "https://rancher.example.com:8443";
const PEER = {
  subject: { CN: "rancher.example.com", O: "Example" },
  issuer: { CN: "Example CA" },
  subjectaltname: "DNS:rancher.example.com",
  valid_from: "Jan  1 00:00:00 2020 GMT",
  valid_to: "Jan  1 00:00:00 2021 GMT",
  fingerprint256: "AB:CD",
} as unknown as PeerCertificate;
const DESCRIBED =
  'subject "CN=rancher.example.com, O=Example", issued by "CN=Example CA", names DNS:rancher.example.com, ' +
  "valid from Jan  1 00:00:00 2020 GMT to Jan  1 00:00:00 2021 GMT, SHA-256 fingerprint AB:CD";

describe("certificate failures", () => {
  it("recognises the certificate codes, and only those", () => {
    for (const code of ["SELF_SIGNED_CERT_IN_CHAIN", "CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID"])
      assert.ok(isCertificateFailure(code), code);
    for (const code of ["ECONNREFUSED", "ECONNRESET", undefined])
      assert.ok(!isCertificateFailure(code), code);
  });

  it("expired: names it, and says to renew it", () => {
    const error = certificateFailure(ORIGIN, "CERT_HAS_EXPIRED", "certificate has expired", PEER, {});
    assert.equal(error.exitCode, 8);
    assert.equal(
      error.message,
      `the TLS certificate of ${ORIGIN} expired (certificate has expired): ${DESCRIBED}`,
    );
    assert.match(error.hint ?? "", /^Renew the server's certificate\. --insecure/);
  });

  it("not valid yet: points at this machine's clock", () => {
    const error = certificateFailure(ORIGIN, "CERT_NOT_YET_VALID", "certificate is not yet valid", PEER, {});
    assert.match(error.message, /is not valid yet \(certificate is not yet valid\): subject/);
    assert.match(error.hint ?? "", /^Check this machine's clock\./);
  });

  it("another name: says which name the URL has", () => {
    const error = certificateFailure(ORIGIN, "ERR_TLS_CERT_ALTNAME_INVALID", "altnames", PEER, {});
    assert.match(
      error.message,
      /^the TLS certificate of \S+ does not name rancher\.example\.com \(altnames\): /,
    );
  });

  it("a certificate that could not be fetched is still an error with both ways out", () => {
    const error = certificateFailure(ORIGIN, "SELF_SIGNED_CERT_IN_CHAIN", "self-signed", undefined, {});
    assert.match(error.message, /is not trusted \(self-signed\): \(the certificate could not be fetched/);
    assert.match(error.hint ?? "", /--ca-cert FILE.*--insecure/);
  });
});
