import { parse } from "shell-quote";
import { shellWord } from "../docker/command-line.js";
import { EnrollError } from "../errors.js";
import type { OneShotSpec } from "../docker/one-shot.js";
import type { JoinSpec } from "../flows/seam.js";

/** The agent's own pass-through list: these reach `rancher-agent` when the bootstrap container has them. */
const PROXY_VARIABLES = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"];

export const BOOTSTRAP_BINDS = [
  "/var/run/docker.sock:/var/run/docker.sock",
  "/var/lib/rancher:/var/lib/rancher",
];
export const BOOTSTRAP_LABEL = "io.rancher-enroll.role";

export interface BootstrapOptions {
  /** CATTLE_AGENT_IP: the address the host registers with. */
  address?: string;
  labels: Record<string, string>;
}

/**
 * The bootstrap container exactly as the server's "Add Host" command runs it, plus our options. The server's
 * `command` is admin-configurable, so its `-e` options (CA_FINGERPRINT among them) are taken from it, not assumed.
 */
export function bootstrapSpec(
  join: JoinSpec,
  options: BootstrapOptions,
  env: Readonly<Record<string, string | undefined>>,
): OneShotSpec {
  const environment = {
    ...serverCommandEnv(join.command),
    ...pick(env, PROXY_VARIABLES),
    ...(options.address ? { CATTLE_AGENT_IP: options.address } : {}),
    ...(Object.keys(options.labels).length ? { CATTLE_HOST_LABELS: encodeLabels(options.labels) } : {}),
  };
  return {
    image: join.image ?? missing("image"),
    cmd: [join.url ?? missing("registration URL")],
    env: Object.entries(environment).map(([name, value]) => `${name}=${value}`),
    binds: BOOTSTRAP_BINDS,
    privileged: true,
    labels: { [BOOTSTRAP_LABEL]: "bootstrap" },
  };
}

function missing(field: string): never {
  throw new EnrollError("internal", `the registration token has no ${field}`);
}

/** Encoded as the Rancher UI does it: URI-encoded keys and values, `&`-joined. */
export function encodeLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join("&");
}

/** The `-e NAME=VALUE` options of the server's `docker run` command line. */
export function serverCommandEnv(command: string): Record<string, string> {
  const words = parse(command).filter((word): word is string => typeof word === "string");
  const env: Record<string, string> = {};
  words.forEach((word, index) => {
    const inline = /^--env=(.*)$/.exec(word)?.[1];
    const value = inline ?? (word === "-e" || word === "--env" ? words[index + 1] : undefined);
    const at = value?.indexOf("=") ?? -1;
    if (value && at > 0) env[value.slice(0, at)] = value.slice(at + 1);
  });
  return env;
}

/** The `docker run` line a user could paste to do what we do. */
export function dockerRunCommand(spec: OneShotSpec): string {
  const words = ["docker", "run", "--rm"];
  if (spec.privileged) words.push("--privileged");
  for (const variable of spec.env) words.push("-e", variable);
  for (const bind of spec.binds) words.push("-v", bind);
  return [...words, spec.image, ...spec.cmd].map(shellWord).join(" ");
}

function pick(env: Readonly<Record<string, string | undefined>>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])));
}
