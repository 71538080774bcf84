// Certificates for TLS tests, made with openssl in a temporary folder: certificate authorities, server certificates
// they sign, and self-signed server certificates. RSA keys: the fake agent's busybox wget speaks TLS with them.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Certificate {
  /** Files of the PEM key and certificate. */
  keyFile: string;
  certFile: string;
  key: string;
  cert: string;
}

export interface ServerName {
  commonName: string;
  /** subjectAltName IP entries: the addresses clients reach the server at. */
  ips: string[];
}

export class TestCertificates {
  readonly dir = mkdtempSync(join(tmpdir(), "rancher-enroll-pki-"));
  private count = 0;

  /** A certificate authority: self-signed, allowed to sign others. */
  authority(commonName: string): Certificate {
    const files = this.files();
    openssl([
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${commonName}`],
      ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
      ...["-keyout", files.keyFile, "-out", files.certFile],
    ]);
    return read(files);
  }

  /** A server certificate signed by `issuer`, or by itself. */
  server(name: ServerName, issuer: Certificate | "self-signed"): Certificate {
    const files = this.files();
    const subject = ["-subj", `/CN=${name.commonName}`];
    const altNames = `subjectAltName=${name.ips.map((ip) => `IP:${ip}`).join(",")}`;
    if (issuer === "self-signed") {
      openssl([
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", ...subject, "-addext", altNames],
        ...["-keyout", files.keyFile, "-out", files.certFile],
      ]);
      return read(files);
    }
    const request = `${files.certFile}.csr`;
    const extensions = `${files.certFile}.ext`;
    writeFileSync(extensions, `${altNames}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    openssl([
      "req",
      "-new",
      "-newkey",
      "rsa:2048",
      "-nodes",
      ...subject,
      "-keyout",
      files.keyFile,
      "-out",
      request,
    ]);
    openssl([
      ...["x509", "-req", "-in", request, "-CA", issuer.certFile, "-CAkey", issuer.keyFile],
      ...["-set_serial", `0x${randomBytes(8).toString("hex")}`, "-days", "2", "-extfile", extensions],
      ...["-out", files.certFile],
    ]);
    return read(files);
  }

  /** A file that is not a certificate, for the cases that must refuse one. */
  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private files() {
    this.count += 1;
    return { keyFile: join(this.dir, `${this.count}.key`), certFile: join(this.dir, `${this.count}.crt`) };
  }
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function read(files: { keyFile: string; certFile: string }): Certificate {
  return { ...files, key: readFileSync(files.keyFile, "utf8"), cert: readFileSync(files.certFile, "utf8") };
}
