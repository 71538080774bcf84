import { X509Certificate } from "node:crypto";
import { resolve } from "node:path";
import { EnrollError } from "../errors.js";
import { readRegularFile } from "../local-files.js";

/** A private CA the server's certificate is verified against, and that the agent is given to trust. */
export interface CaCertificate {
  path: string;
  /** The file's CERTIFICATE blocks only (one CA or a bundle with intermediates): never a key it also held. */
  pem: string;
  /** Of the first certificate, to tell the user which CA this is. */
  subject: string;
}

/** Far above any real bundle (every public CA together is about 220 KiB): a wrong path must not fill memory. */
const MAX_CA_FILE_BYTES = 1024 * 1024;
const BEGIN = "-----BEGIN CERTIFICATE-----";
const END = "-----END CERTIFICATE-----";

/** Read when the settings are resolved, so that a file we cannot use stops the command before anything is contacted. */
export function readCaCertificate(text: string, name: string): CaCertificate {
  const path = resolve(text.trim());
  const problem = (what: string) =>
    new EnrollError(
      "usage",
      `${name}: ${what}`,
      "Give the PEM file of the CA that signed the server's certificate (intermediates may follow it).",
    );
  let content: string;
  try {
    content = readRegularFile(path, MAX_CA_FILE_BYTES).text;
  } catch (error) {
    throw problem(`cannot read the CA certificate file ${path}: ${(error as Error).message}`);
  }
  const blocks = certificateBlocks(content);
  if (blocks.length === 0) throw problem(`${path} holds no PEM certificate (${BEGIN})`);
  try {
    const [first] = blocks.map((block) => new X509Certificate(block));
    return { path, pem: `${blocks.join("\n")}\n`, subject: first!.subject.replace(/\n/g, ", ") };
  } catch (error) {
    throw problem(`${path} holds a certificate that cannot be read: ${(error as Error).message}`);
  }
}

/**
 * The CERTIFICATE blocks of a PEM text, in one pass over its lines (a regular expression over the whole text goes
 * quadratic on many unterminated blocks). Everything else, a private key above all, is left out.
 */
function certificateBlocks(text: string): string[] {
  const blocks: string[] = [];
  let block: string[] | undefined;
  for (const line of text.split("\n").map((raw) => raw.trim())) {
    if (line === BEGIN) block = [line];
    else if (block && line.startsWith("-----")) {
      if (line === END) blocks.push([...block, line].join("\n"));
      block = undefined;
    } else block?.push(line);
  }
  return blocks;
}
