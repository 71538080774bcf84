declare module "proxy-from-env" {
  /** The proxy for the URL by HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY (either case); "" for none. */
  export function getProxyForUrl(url: string | URL): string;
}
