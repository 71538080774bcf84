import { EnrollError } from "../errors.js";

export interface ServerUrl {
  /** Scheme, host and any proxy prefix: the API version is added by the client. */
  base: string;
  /** The environment id when the user pasted an environment endpoint (`…/v2-beta/projects/1a5`). */
  projectHint?: string;
  /** The API version the URL's path names, when it names one: a hint to the server line. */
  apiVersion?: ApiVersion;
}

/** A scheme, `//` and a host: `http:///v1` would otherwise parse with `v1` as the host. */
const HOST_PART = /^[a-z][a-z0-9+.-]*:\/\/[^/\\]/i;
export type ApiVersion = "v1" | "v2-beta" | "v3";

const API_VERSION_SEGMENT = /\/(v1|v2-beta|v3)(\/|$)/;
const PROJECT_SEGMENT = /^\/projects\/([^/]+)/;

/** Accepts every form users copy from the Rancher UI and reduces it to the server's base URL. */
export function parseServerUrl(input: string): ServerUrl {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`"${withoutUserinfo(text)}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usage(`the server URL must start with http:// or https://, got "${url.protocol}//"`);
  }
  if (!HOST_PART.test(text)) throw usage(`"${withoutUserinfo(text)}" has no host part`);
  if (url.username || url.password) {
    throw usage(
      "the server URL must not carry credentials",
      "Remove them from the URL and set RANCHER_ACCESS_KEY and RANCHER_SECRET_KEY instead.",
    );
  }
  const path = url.pathname;
  const version = API_VERSION_SEGMENT.exec(path);
  const prefix = (version ? path.slice(0, version.index) : path).replace(/\/+$/, "");
  const rest = version ? path.slice(version.index + version[0].length - 1) : "";
  const projectHint = PROJECT_SEGMENT.exec(rest)?.[1];
  return {
    base: `${url.origin}${prefix}`,
    ...(projectHint ? { projectHint } : {}),
    ...(version ? { apiVersion: version[1] as ApiVersion } : {}),
  };
}

function usage(
  message: string,
  hint = "Use the server address, e.g. https://rancher.example.com:8080",
): EnrollError {
  return new EnrollError("usage", `invalid server URL: ${message}`, hint);
}

/** What the user typed, for a message, without anything that may be a password (`user:password@`). */
function withoutUserinfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/*)?[^/?#]*@/i, "$1***@");
}
