// --ca-cert as read from disk: only its certificates are kept, and only a regular file of bounded size is read.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, describe, test } from "node:test";
import { readCaCertificate } from "../../src/config/ca-cert.js";
import { EnrollError } from "../../src/errors.js";
import { TestCertificates } from "../support/certificates.js";

const certificates = new TestCertificates();
after(() => certificates.remove());
const ca = certificates.authority("unit test CA");
const intermediate = certificates.authority("unit test intermediate");

const refused = (message: RegExp) => (error: unknown) =>
  error instanceof EnrollError && error.kind === "usage" && message.test(error.message);

describe("reading --ca-cert", () => {
  test("a file that also holds private keys: only the CERTIFICATE blocks are kept, in order", () => {
    const mixed = certificates.file(
      "mixed.pem",
      `${ca.key}${ca.cert}garbage\r\n${intermediate.key}${intermediate.cert}`,
    );
    const read = readCaCertificate(mixed, "--ca-cert");
    assert.equal(read.pem, `${ca.cert}${intermediate.cert}`);
    assert.doesNotMatch(read.pem, /PRIVATE KEY/);
    assert.equal(read.subject, "CN=unit test CA");
  });

  test("CRLF line ends are read; a block cut short by another header is dropped", () => {
    const [first, ...rest] = ca.cert.trim().split("\n");
    const cut = `${first}\n${rest.slice(0, 3).join("\n")}\n-----BEGIN PRIVATE KEY-----\n`;
    const text = `${cut}${intermediate.cert.replace(/\n/g, "\r\n")}`;
    const read = readCaCertificate(certificates.file("crlf.pem", text), "--ca-cert");
    assert.equal(read.pem, intermediate.cert);
  });

  test("a FIFO or a device is refused at once; a file over 1 MiB is refused", () => {
    const fifo = certificates.file("fifo-placeholder", "");
    execFileSync("rm", [fifo]);
    execFileSync("mkfifo", [fifo]);
    const cases: [string, RegExp][] = [
      [fifo, /is not a regular file \(it is a FIFO\)/],
      ["/dev/zero", /is not a regular file \(it is a device\)/],
      [
        certificates.file("big.pem", ca.cert.repeat(1 + (1024 * 1024) / ca.cert.length)),
        /larger than 1024 KiB/,
      ],
    ];
    for (const [path, message] of cases)
      assert.throws(
        () => readCaCertificate(path, "--ca-cert"),
        refused(new RegExp(`^--ca-cert: cannot read the CA certificate file .*${message.source}`)),
      );
  });

  test("a megabyte of unterminated certificate headers is read in linear time", () => {
    const headers = "-----BEGIN CERTIFICATE-----\n".repeat(Math.floor((1024 * 1024 - 4096) / 28));
    const path = certificates.file("headers.pem", `${ca.cert}${headers}`);
    const started = process.hrtime.bigint();
    assert.equal(readCaCertificate(path, "--ca-cert").pem, ca.cert);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 5000, `took ${ms} ms (the old regular expression: over a minute)`);
  });
});
