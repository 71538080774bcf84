import type { Agent } from "node:http";
import { rootCertificates } from "node:tls";
import type { Agents } from "got";
import { HttpsProxyAgent } from "hpagent";
import { HttpProxyAgent } from "http-proxy-agent";
import { getProxyForUrl } from "proxy-from-env";
import { maskUrlPasswords } from "../log.js";

/** How our API calls check the server's certificate. */
export interface TlsSettings {
  /** A private CA, trusted in addition to the public ones (as the agent adds it to its store). */
  caCert?: { pem: string; path: string; subject: string };
  /** Trust the CA alone, not the public ones with it: it was pinned by its checksum (2.x `--ca-checksum`). */
  onlyCaCert?: boolean;
  insecure?: boolean;
}

/** What got needs to reach the server: its TLS options, and the proxy agent when a proxy variable applies. */
export interface Transport {
  https: { certificateAuthority?: string[]; rejectUnauthorized: boolean };
  agent?: Agents;
  /** The proxy in use, for messages: credentials masked. */
  proxy?: string;
}

/** HTTPS_PROXY, HTTP_PROXY and NO_PROXY (either case) decide, as for curl, for the server's origin. */
export function transportTo(origin: string, { caCert, onlyCaCert, insecure }: TlsSettings): Transport {
  const https = {
    ...(caCert
      ? { certificateAuthority: onlyCaCert ? [caCert.pem] : [...rootCertificates, caCert.pem] }
      : {}),
    rejectUnauthorized: !insecure,
  };
  const proxy = proxyFor(origin);
  if (!proxy) return { https };
  const agent: Agents = origin.startsWith("https:")
    ? { https: tunnelAgent(proxy, true) }
    : { http: forwardingAgent(proxy, true) };
  return { https, agent, proxy: maskUrlPasswords(proxy) };
}

export function proxyFor(origin: string): string | undefined {
  return getProxyForUrl(origin) || undefined;
}

/** HTTPS goes through a CONNECT tunnel, the server's certificate verified as without a proxy. */
export function tunnelAgent(proxy: string, keepAlive: boolean): HttpsProxyAgent {
  return new HttpsProxyAgent({ proxy, keepAlive });
}

/** Plain HTTP is forwarded by absolute URL: proxies commonly refuse CONNECT to ports but 443 (Rancher's 8080). */
function forwardingAgent(proxy: string, keepAlive: boolean): Agent {
  return new HttpProxyAgent(proxy, { keepAlive });
}
