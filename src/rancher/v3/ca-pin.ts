import { X509Certificate } from "node:crypto";
import { got, HTTPError, RequestError } from "got";
import type { CaCertificate } from "../../config/ca-cert.js";
import type { Deadline } from "../../deadline.js";
import { EnrollError } from "../../errors.js";
import type { Logger } from "../../log.js";
import { transportTo, type TlsSettings } from "../transport.js";
import { caChecksum } from "./ca-checksum.js";

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_ANSWER_BYTES = 1024 * 1024;

/** What our calls trust: the pinned CA alone when `--ca-checksum` is given, else `--ca-cert` / `--insecure`. */
export async function serverTls(
  server: { url: string; caCert?: CaCertificate; insecure: boolean; caChecksum?: string },
  log: Logger,
  deadline: Deadline,
): Promise<TlsSettings> {
  if (!server.caChecksum) return { caCert: server.caCert, insecure: server.insecure };
  return { caCert: await pinnedServerCa(server.url, server.caChecksum, log, deadline), onlyCaCert: true };
}

/**
 * `--ca-checksum`, as kubeadm's `--discovery-token-ca-cert-hash`: read the server's CA without credentials and
 * without trusting anything yet (`/v3/settings/cacerts` is open to anyone, as the agent reads it), keep it only if
 * its checksum is the pinned one, then trust exactly that CA for the run. A mismatch stops the command before
 * any credential is sent.
 */
export async function pinnedServerCa(
  baseUrl: string,
  pinned: string,
  log: Logger,
  deadline: Deadline,
): Promise<CaCertificate> {
  const url = `${baseUrl}/v3/settings/cacerts`;
  const cacerts = await readOpenSetting(url, deadline);
  if (!cacerts.trim()) {
    throw new EnrollError(
      "server",
      `--ca-checksum ${pinned} was given, but ${url} publishes no CA (the server's certificate is meant to be publicly trusted): no credential was sent`,
      "Leave out --ca-checksum for this server, or check that the URL names the right server.",
    );
  }
  const actual = caChecksum(cacerts);
  if (actual !== pinned) {
    throw new EnrollError(
      "server",
      `the CA that ${url} publishes has the checksum ${actual}, not the pinned ${pinned}: no credential was sent`,
      "Check --ca-checksum against the cluster's registration command in the Rancher UI; if it matches, something between this machine and the server answers in its place.",
    );
  }
  const pem = cacerts.endsWith("\n") ? cacerts : `${cacerts}\n`;
  const subject = subjectOf(pem);
  log.info(
    { caChecksum: actual, subject },
    `the server's CA (${subject}) matches --ca-checksum: trusting exactly it`,
  );
  return { path: `${url} (pinned by --ca-checksum)`, pem, subject };
}

function subjectOf(pem: string): string {
  try {
    return new X509Certificate(pem).subject.replace(/\n/g, ", ");
  } catch (error) {
    throw new EnrollError(
      "server",
      `the CA the server publishes matches --ca-checksum but is not a certificate: ${(error as Error).message}`,
      "Ask the Rancher administrator to check the cacerts setting.",
    );
  }
}

/** Unauthenticated, unverified (what is read is verified by its checksum), no redirect followed. */
async function readOpenSetting(url: string, deadline: Deadline): Promise<string> {
  const transport = transportTo(new URL(url).origin, { insecure: true });
  try {
    const request = got.get(url, {
      https: transport.https,
      ...(transport.agent ? { agent: transport.agent } : {}),
      headers: { accept: "application/json" },
      followRedirect: false,
      retry: { limit: 2 },
      timeout: { request: Math.max(1, Math.min(REQUEST_TIMEOUT_MS, deadline.remainingMs())) },
    });
    // Nothing is trusted yet: a CA bundle is a few KiB, never let an answer run to megabytes.
    request.on("downloadProgress", ({ transferred }) => {
      if (transferred > MAX_ANSWER_BYTES) request.cancel("the answer is too large for a CA setting");
    });
    const body = await request.json<{ value?: unknown }>();
    if (typeof body.value !== "string") throw new Error("no value in the answer");
    return body.value;
  } catch (error) {
    const why =
      error instanceof HTTPError
        ? `it answered ${error.response.statusCode}`
        : error instanceof RequestError
          ? (error.code ?? error.message)
          : (error as Error).message;
    throw new EnrollError(
      "server",
      `cannot read the server's CA from ${url} (${why})`,
      "Check the server URL; --ca-checksum needs a Rancher 2.x server.",
    );
  }
}
