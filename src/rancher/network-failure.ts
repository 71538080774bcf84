import { EnrollError } from "../errors.js";

/**
 * Failures worth waiting for, within --timeout: the server, or the network to it, may still be starting (at boot,
 * after a server restart, behind a load balancer whose backend is not up yet). Everything else ends at once, because
 * waiting cannot change it: a name that does not resolve, a TLS handshake with something that does not speak TLS
 * (a wrong scheme), a certificate refused, a redirect, an answer that is not the Rancher API, a client error.
 */
export const WAIT_FOR_CODES = [
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  // A resolver that does not answer (yet): at boot the network may come up after us. NXDOMAIN is ENOTFOUND.
  "EAI_AGAIN",
];
export const WAIT_FOR_STATUSES = [408, 429, 500, 502, 503, 504];

const WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "the connection was reset",
  ETIMEDOUT: "no answer in time",
  EPIPE: "the connection was closed",
  ENETUNREACH: "network unreachable",
  ENETDOWN: "network down",
  EHOSTUNREACH: "host unreachable",
  EHOSTDOWN: "host down",
  EAI_AGAIN: "the DNS lookup failed for now",
};

/** A failure to reach the server, in words: no raw ENOTFOUND or EPROTO for the user. */
export function failureWords(code: string | undefined, message: string): string {
  return (code && WORDS[code]) ?? message;
}

/** The failures that end at once get their own message: what it means and what to do. */
export function unreachable(
  code: string | undefined,
  message: string,
  base: string,
): EnrollError | undefined {
  const url = new URL(base);
  if (code === "ENOTFOUND") {
    return new EnrollError(
      "server",
      `the server name ${url.hostname} does not resolve (no such name in DNS)`,
      "Check the host name in the server URL (--url or RANCHER_URL) and this machine's DNS settings.",
    );
  }
  if (code === "EPROTO" || code?.startsWith("ERR_SSL_")) {
    const plain = /wrong version number|packet length too long|http request/i.test(message);
    return new EnrollError(
      "server",
      plain
        ? `${url.origin} does not speak HTTPS: the TLS handshake got a plain answer (${url.host} serves HTTP?)`
        : `the TLS handshake with ${url.origin} failed (${code})`,
      plain
        ? `Use http://${url.host}${url.pathname === "/" ? "" : url.pathname} if the server serves plain HTTP (Rancher 1.6 listens on http://HOST:8080), or check the port.`
        : "Check the port and that the server (or a proxy in between) speaks TLS.",
    );
  }
  return undefined;
}
