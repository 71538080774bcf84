import { request } from "node:https";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { EnrollError } from "../errors.js";
import { proxyFor, tunnelAgent, type TlsSettings } from "./transport.js";

/** Node's codes for a certificate that failed verification, by what the user can do about it. */
const UNTRUSTED = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_CA",
]);
const OUT_OF_DATE = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"]);
const WRONG_NAME = "ERR_TLS_CERT_ALTNAME_INVALID";

const INSECURE_WAY =
  "--insecure (RANCHER_INSECURE=true) skips verification for rancher-enroll's own calls only: not recommended, " +
  "and the agent still verifies the certificate.";

export function isCertificateFailure(code: string | undefined): code is string {
  return code !== undefined && (UNTRUSTED.has(code) || OUT_OF_DATE.has(code) || code === WRONG_NAME);
}

/** A certificate failure as the user can act on it: which certificate, why it was refused, the ways out. */
export function certificateFailure(
  origin: string,
  code: string,
  reason: string,
  peer: PeerCertificate | undefined,
  { caCert }: TlsSettings,
): EnrollError {
  const about = peer ? describe(peer) : "(the certificate could not be fetched to describe it)";
  const problem = (what: string) => `the TLS certificate of ${origin} ${what}: ${about}`;
  if (OUT_OF_DATE.has(code)) {
    const expired = code === "CERT_HAS_EXPIRED";
    return new EnrollError(
      "server",
      problem(expired ? `expired (${reason})` : `is not valid yet (${reason})`),
      `${expired ? "Renew the server's certificate" : "Check this machine's clock"}. ${INSECURE_WAY}`,
    );
  }
  if (code === WRONG_NAME) {
    return new EnrollError(
      "server",
      problem(`does not name ${new URL(origin).hostname} (${reason})`),
      `Use a server URL with a name the certificate holds, or have the certificate reissued for this one. ${INSECURE_WAY}`,
    );
  }
  const trustWay = caCert
    ? `It is not signed by the CA of --ca-cert ${caCert.path} (${caCert.subject}): give the CA that signed it.`
    : "Give the CA that signed it with --ca-cert FILE (RANCHER_CA_CERT, or ca_cert in the profile): rancher-enroll " +
      "then verifies the server with it and installs it for the agent (/var/lib/rancher/etc/ssl/ca.crt).";
  return new EnrollError("server", problem(`is not trusted (${reason})`), `${trustWay} ${INSECURE_WAY}`);
}

function describe(peer: PeerCertificate): string {
  const names = peer.subjectaltname ? `, names ${peer.subjectaltname}` : "";
  return (
    `subject "${distinguishedName(peer.subject)}", issued by "${distinguishedName(peer.issuer)}"${names}, ` +
    `valid from ${peer.valid_from} to ${peer.valid_to}, SHA-256 fingerprint ${peer.fingerprint256}`
  );
}

function distinguishedName(name: PeerCertificate["subject"] | undefined): string {
  return Object.entries(name ?? {})
    .map(([field, value]) => `${field}=${Array.isArray(value) ? value.join("+") : value}`)
    .join(", ");
}

/**
 * The server's certificate, only to describe it: a connection (through the proxy, if one applies) that does not
 * verify the certificate, closed as soon as the handshake is done. It carries no credentials and is never reused.
 */
export function fetchPeerCertificate(
  origin: string,
  timeoutMs: number,
): Promise<PeerCertificate | undefined> {
  const proxy = proxyFor(origin);
  const agent = proxy ? tunnelAgent(proxy, false) : false;
  return new Promise((resolve) => {
    const probe = request(origin, { method: "HEAD", agent, rejectUnauthorized: false, timeout: timeoutMs });
    const finish = (certificate?: PeerCertificate) => {
      probe.destroy();
      resolve(certificate?.subject ? certificate : undefined);
    };
    probe.once("socket", (socket: TLSSocket) =>
      socket.once("secureConnect", () => finish(socket.getPeerCertificate())),
    );
    probe.once("response", (response) => finish((response.socket as TLSSocket).getPeerCertificate()));
    probe.once("timeout", () => finish());
    probe.once("error", () => finish());
    probe.end();
  });
}
