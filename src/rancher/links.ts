import { EnrollError } from "../errors.js";

/**
 * Where a path of ours or a link from the server leads: on the server the user named, always. Links name the host
 * the server believes it has (behind a proxy, not ours), and a hostile one may name any other: only the path and
 * query of the link are kept, on our origin. Parsing follows the URL standard, as a browser does (`//host/x`,
 * `HTTP://host`, leading blanks and `/\host` are all links to another host; a relative path is under the base).
 */
export function onOurOrigin(pathOrLink: string, base: string): URL {
  let link: URL;
  try {
    link = new URL(pathOrLink, `${base}/`);
  } catch {
    throw notALink(pathOrLink);
  }
  if (link.protocol !== "http:" && link.protocol !== "https:") throw notALink(pathOrLink);
  const url = new URL(new URL(base).origin);
  url.pathname = link.pathname;
  url.search = link.search;
  return url;
}

function notALink(link: string): EnrollError {
  return new EnrollError(
    "server",
    `the server answered a link that is not an HTTP URL (${JSON.stringify(link.slice(0, 200))}): not the Rancher API`,
    "Check that the URL points at a Rancher server.",
  );
}
