import type { UpSettings } from "../config/settings.js";
import { Deadline } from "../deadline.js";
import { inspectContainer } from "../docker/containers.js";
import { waitForDaemon, type Docker } from "../docker/engine.js";
import { hasImage, type PullProgress } from "../docker/image.js";
import { runToCompletion } from "../docker/one-shot.js";
import { EnrollError } from "../errors.js";
import { maskToken, maskUrlPasswords, type Logger } from "../log.js";
import {
  isHostReady,
  type HostRecord,
  type RancherApi,
  type Registration,
  type Target,
} from "../rancher/api.js";
import { findOurHost, namesakes, type HostEvidence } from "../rancher/host-match.js";
import type { Enrollment, EnrollmentStore } from "../state/enrollment.js";
import { withMachineLock } from "../state/lock.js";
import { defaultRoute, interfaceAddress } from "./agent-ip.js";
import { chooseToken, ensureAgentImage, obtainRegistration } from "./agent-setup.js";
import { bootstrapSpec, dockerRunCommand } from "./bootstrap-spec.js";
import {
  AGENT_CONTAINER,
  agentAsksToReRegister,
  installAgentCa,
  removeLeftoverBootstraps,
} from "./local-agent.js";
import { phase } from "./phase.js";
import type { UpPlan, UpResult } from "./result.js";

export interface UpContext {
  settings: UpSettings;
  /** The one clock of the command: `--timeout` bounds everything up does. */
  deadline: Deadline;
  rancher: RancherApi;
  docker: Docker;
  store: EnrollmentStore;
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
  /** This machine's names as the agent will report them (FQDN and short). */
  hostnames: () => Promise<string[]>;
  onPullProgress: (progress: PullProgress) => void;
  hostPollMs?: number;
}

const HOST_POLL_MS = 2000;

export async function up(given: UpContext): Promise<UpResult | UpPlan> {
  const started = Date.now();
  const { settings, log, docker, store, deadline } = given;
  await phase(log, "check docker engine", () =>
    waitForDaemon(docker, deadline, settings.waitForDockerSeconds, log),
  );
  const agentIp = settings.agentInterface
    ? await phase(log, "choose agent IP", () => interfaceAddress(settings.agentInterface!))
    : settings.agentIp;
  const context = { ...given, settings: { ...settings, ...(agentIp ? { agentIp } : {}) } };
  if (settings.dryRun) return plan(context, started);
  return withMachineLock(store.dir, deadline, log, () => enroll(context, deadline, started));
}

/** Without an agent IP the agent registers the address the server sees: say which, and where the route goes. */
async function explainAgentIp({ settings, rancher, log }: UpContext): Promise<void> {
  if (settings.agentIp) {
    log.info({ agentIp: settings.agentIp }, `the agent will register ${settings.agentIp}`);
    return;
  }
  const route = await defaultRoute();
  const serverSees = rancher.clientIp ?? "unknown";
  const routeText = route
    ? `the default route is on ${route.iface} (${route.ip4})`
    : "this machine has no default route";
  log.info(
    { serverSees, defaultRoute: route },
    `no agent IP given: the agent will register the address the server sees, ${serverSees}; ${routeText}`,
  );
  if (route && route.ip4 !== serverSees) {
    log.warn(
      `the server sees ${serverSees}, not ${route.ip4} (NAT, a proxy or a load balancer between?): if other hosts reach this one at ${route.ip4}, pass --agent-ip ${route.ip4} or --agent-interface ${route.iface}`,
    );
  }
}

async function enroll(context: UpContext, deadline: Deadline, started: number): Promise<UpResult> {
  const { log, rancher, settings, store } = context;
  const previous = await store.read();
  refuseMove(previous, settings);
  const current = await phase(log, "check current enrollment", () => currentHost(context, previous));
  if (current && previous) {
    const registration = { id: previous.registrationId, created: false };
    return result(
      context,
      { host: current, target: previous.environment, registration, image: previous.agentImage },
      false,
      started,
    );
  }
  const target = await phase(log, "resolve environment", () => rancher.findTarget(settings.environment));
  log.info({ environment: target }, `environment ${target.name} (${target.id})`);
  await explainAgentIp(context);
  const { registration, created } = await phase(log, "obtain registration", () =>
    obtainRegistration(rancher, log, target, deadline),
  );
  const imagePulled = await phase(log, "ensure agent image", () =>
    ensureAgentImage(context.docker, log, registration.image, context.onPullProgress),
  );
  const { caCert } = settings.server;
  if (caCert)
    await phase(log, "install CA for the agent", () =>
      installAgentCa(context.docker, registration.image, caCert, deadline, log),
    );
  const launch = {
    server: settings.server.url,
    environment: target,
    agentImage: registration.image,
    registrationId: registration.id,
  };
  const before = await phase(log, "launch agent", () =>
    launchAgent(context, launch, previous, registration, deadline),
  );
  const host = await phase(log, "confirm host", () =>
    confirmHost(context, target, before, previous, deadline, () =>
      runBootstrap(context, registration, deadline),
    ),
  );
  await store.write({
    ...launch,
    launchedAt: new Date().toISOString(),
    hostId: host.id,
    ...(host.agentId ? { agentId: host.agentId } : {}),
    hostname: host.hostname,
    confirmedAt: new Date().toISOString(),
  });
  const enrolled = {
    host,
    target,
    registration: { id: registration.id, created },
    image: registration.image,
  };
  return result(context, enrolled, true, started, imagePulled);
}

/** Moving a machine to another environment or server is `down` then `up`: never two hosts for one machine. */
function refuseMove(previous: Enrollment | undefined, settings: UpSettings): void {
  if (!previous) return;
  const wanted = settings.environment ?? settings.server.projectHint;
  const { id, name } = previous.environment;
  const sameEnvironment = !wanted || wanted === id || wanted.toLowerCase() === name.toLowerCase();
  if (previous.server === settings.server.url && sameEnvironment) return;
  throw new EnrollError(
    "usage",
    `this machine is enrolled in environment ${name} (${id}) of ${previous.server}`,
    "Run `rancher-enroll down` first to take it out of there, then `up` again.",
  );
}

/** The host an earlier run confirmed, if its agent still runs here and the server still has it ready. */
async function currentHost({ docker, rancher, log }: UpContext, previous: Enrollment | undefined) {
  if (!previous?.hostId) return undefined;
  const agent = await inspectContainer(docker, AGENT_CONTAINER);
  if (!agent?.running) {
    log.info(
      `the ${AGENT_CONTAINER} container is ${agent ? "stopped" : "missing"}: launching the agent again`,
    );
    return undefined;
  }
  const host = await rancher.getHost(previous.environment, previous.hostId);
  if (host && isHostReady(host)) return host;
  log.info(
    { host: previous.hostId, state: host?.state ?? "gone" },
    `host ${previous.hostId} is ${host?.state ?? "gone from the server"}: launching the agent again`,
  );
  return undefined;
}

/**
 * Runs the bootstrap container; answers the environment's hosts as they were just before. The launch is
 * recorded first, so that a run killed while waiting leaves the next one the evidence it needs.
 */
async function launchAgent(
  context: UpContext,
  launch: Omit<Enrollment, "launchedAt">,
  previous: Enrollment | undefined,
  registration: Registration,
  deadline: Deadline,
) {
  const { docker, log, rancher, store } = context;
  await removeLeftoverBootstraps(docker, log);
  const before = new Map((await rancher.listHosts(launch.environment)).map((host) => [host.id, host]));
  await store.write({
    ...launch,
    launchedAt: new Date().toISOString(),
    ...(previous?.agentId ? { agentId: previous.agentId } : {}),
  });
  await runBootstrap(context, registration, deadline);
  return before;
}

/** The bootstrap container, exactly as the server's command runs it; its non-zero exit is an error. */
async function runBootstrap(
  context: UpContext,
  registration: Registration,
  deadline: Deadline,
): Promise<void> {
  const { docker, log, settings } = context;
  const spec = bootstrapSpec(registration, settings, context.env);
  log.info(
    { command: maskToken(maskUrlPasswords(dockerRunCommand(spec)), registration.token) },
    "starting the agent's bootstrap container",
  );
  const run = await runToCompletion(docker, spec, deadline, (line) =>
    log.debug({ agent: maskToken(line, registration.token) }, "bootstrap output"),
  );
  if (run.exitCode !== 0)
    throw agentFailed(
      run.exitCode,
      run.output.map((line) => maskToken(line, registration.token)),
    );
  log.info("the agent's bootstrap container finished");
}

function agentFailed(exitCode: number, output: string[]): EnrollError {
  const errors = output.filter((line) => /ERROR:/.test(line));
  const quoted = (errors.length ? errors : output.slice(-5)).map((line) => `  ${line.trim()}`).join("\n");
  return new EnrollError(
    "agent-failed",
    `the agent's bootstrap container exited with code ${exitCode}:\n${quoted}`,
    "The lines above are the agent's own; they usually name the setting to fix (server URL reachability from this machine, agent IP, CA certificate).",
  );
}

/** Polls the environment until our host is ready, decided by evidence rather than by the first name match. */
async function confirmHost(
  context: UpContext,
  target: Target,
  before: Map<string, HostRecord>,
  previous: Enrollment | undefined,
  deadline: Deadline,
  relaunch: () => Promise<void>,
) {
  const { rancher, log, settings } = context;
  const evidence: HostEvidence = {
    hostnames: await context.hostnames(),
    before,
    ...(settings.agentIp ? { agentIp: settings.agentIp } : {}),
    ...(previous?.agentId ? { knownAgentId: previous.agentId } : {}),
    ...(previous && !previous.hostId ? { unconfirmedLaunchAt: previous.launchedAt } : {}),
  };
  let seen: HostRecord[] = [];
  let ours: HostRecord | undefined;
  let relaunched = false;
  return deadline.poll(
    context.hostPollMs ?? HOST_POLL_MS,
    async () => {
      seen = await rancher.listHosts(target);
      const match = findOurHost(seen, evidence);
      if (!match && !relaunched && (await agentAsksToReRegister(context.docker))) {
        // Rancher removed the agent (disconnected, no host) after handing its old credentials to our bootstrap.
        log.warn("the agent says its credentials are no longer valid: registering it again");
        relaunched = true;
        await relaunch();
      }
      if (match && match.host.state !== ours?.state)
        log.info(
          { host: match.host.id, state: match.host.state, why: match.why },
          `host ${match.host.id} is ${match.host.state}`,
        );
      ours = match?.host;
      return ours && isHostReady(ours) ? ours : undefined;
    },
    () => describeWait(ours, namesakes(seen, evidence), evidence),
  );
}

function describeWait(ours: HostRecord | undefined, sameName: HostRecord[], evidence: HostEvidence): string {
  if (ours) {
    const detail = ours.transitioningMessage ? `: ${ours.transitioningMessage}` : "";
    return `host ${ours.id} (${ours.hostname}) did not become active; last state "${ours.state}", agent state "${ours.agentState ?? "none"}"${detail}`;
  }
  const others = sameName.length
    ? `; hosts with this name are all older: ${sameName.map((h) => `${h.id} (${h.state})`).join(", ")}`
    : "";
  return `no host named ${evidence.hostnames.join(" or ")} appeared in the environment${others}`;
}

async function plan(context: UpContext, started: number): Promise<UpPlan> {
  const { rancher, settings, docker, log } = context;
  const target = await phase(log, "resolve environment", () => rancher.findTarget(settings.environment));
  await explainAgentIp(context);
  const { reuse: registration, waitFor } = chooseToken(await rancher.listRegistrations(target));
  const imagePresent = registration ? await hasImage(docker, registration.image) : undefined;
  return {
    kind: "plan",
    changed: false,
    environment: target,
    server: serverInfo(context),
    registration: {
      wouldCreate: !registration && !waitFor,
      ...(registration ? { id: registration.id } : waitFor ? { id: waitFor } : {}),
    },
    agent: registration ? { image: registration.image, imagePresent } : {},
    ...(registration
      ? { command: maskUrlPasswords(dockerRunCommand(bootstrapSpec(registration, settings, context.env))) }
      : {}),
    apiRequests: rancher.requestCount,
    durationSeconds: seconds(started),
  };
}

interface Enrolled {
  host: HostRecord;
  target: Target;
  registration: UpResult["registration"];
  image: string;
}

function result(
  context: UpContext,
  enrolled: Enrolled,
  changed: boolean,
  started: number,
  imagePulled = false,
): UpResult {
  const { id, hostname, state, agentState, agentIpAddress, labels } = enrolled.host;
  return {
    kind: "enrolled",
    changed,
    host: { id, hostname, state, agentState, agentIpAddress, labels },
    environment: enrolled.target,
    server: serverInfo(context),
    agent: { image: enrolled.image, imagePulled },
    registration: enrolled.registration,
    apiRequests: context.rancher.requestCount,
    durationSeconds: seconds(started),
  };
}

function serverInfo({ settings, rancher }: UpContext) {
  return { url: settings.server.url, ...(rancher.serverVersion ? { version: rancher.serverVersion } : {}) };
}

export function seconds(since: number): number {
  return Math.round((Date.now() - since) / 100) / 10;
}
