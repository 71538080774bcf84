import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EnrollError } from "../errors.js";

/** A private CA the server's certificate is verified against, and that the agent is given to trust. */
export interface CaCertificate {
  path: string;
  /** The file as read: one PEM certificate or a bundle (with intermediates). */
  pem: string;
  /** Of the first certificate, to tell the user which CA this is. */
  subject: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Read when the settings are resolved, so that a file we cannot use stops the command before anything is contacted. */
export function readCaCertificate(text: string, name: string): CaCertificate {
  const path = resolve(text.trim());
  const problem = (what: string) =>
    new EnrollError(
      "usage",
      `${name}: ${what}`,
      "Give the PEM file of the CA that signed the server's certificate (intermediates may follow it).",
    );
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (error) {
    throw problem(`cannot read the CA certificate file ${path}: ${(error as Error).message}`);
  }
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw problem(`${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  try {
    const [first] = blocks.map((block) => new X509Certificate(block));
    return { path, pem, subject: first!.subject.replace(/\n/g, ", ") };
  } catch (error) {
    throw problem(`${path} holds a certificate that cannot be read: ${(error as Error).message}`);
  }
}
