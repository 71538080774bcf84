import type { UpSettings } from "../config/settings.js";
import { Deadline } from "../deadline.js";
import { checkDaemon, type Docker } from "../docker/engine.js";
import { hasImage, pullImage, type PullProgress } from "../docker/image.js";
import { runToCompletion } from "../docker/one-shot.js";
import { EnrollError } from "../errors.js";
import { maskToken, type Logger } from "../log.js";
import {
  isHostReady,
  type HostRecord,
  type RancherApi,
  type Registration,
  type Target,
} from "../rancher/api.js";
import { findOurHost, namesakes, type HostEvidence } from "../rancher/host-match.js";
import { bootstrapSpec, dockerRunCommand } from "./bootstrap-spec.js";
import { phase } from "./phase.js";
import type { UpPlan, UpResult } from "./result.js";

export interface UpContext {
  settings: UpSettings;
  rancher: RancherApi;
  docker: Docker;
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
  /** This machine's names as the agent will report them (FQDN and short). */
  hostnames: () => Promise<string[]>;
  onPullProgress: (progress: PullProgress) => void;
  hostPollMs?: number;
}

const HOST_POLL_MS = 2000;

export async function up(context: UpContext): Promise<UpResult | UpPlan> {
  const started = Date.now();
  const { settings, log, docker, rancher } = context;
  const deadline = new Deadline(settings.timeoutSeconds);
  await phase(log, "check docker engine", () => checkDaemon(docker));
  const target = await phase(log, "resolve environment", () => rancher.findTarget(settings.environment));
  log.info({ environment: target }, `environment ${target.name} (${target.id})`);
  if (settings.dryRun) return plan(context, target, started);

  const { registration, created } = await phase(log, "obtain registration", () =>
    obtainRegistration(context, target, deadline),
  );
  const imagePulled = await phase(log, "ensure agent image", () =>
    ensureAgentImage(context, registration.image),
  );
  const before = await phase(log, "launch agent", () => launchAgent(context, target, registration, deadline));
  const host = await phase(log, "confirm host", () => confirmHost(context, target, before, deadline));
  return {
    kind: "enrolled",
    changed: true,
    host: pickHost(host),
    environment: target,
    server: serverInfo(context),
    agent: { image: registration.image, imagePulled },
    registration: { id: registration.id, created },
    apiRequests: rancher.requestCount,
    durationSeconds: seconds(started),
  };
}

/** Reuse the environment's active token; create one only when there is none. */
async function obtainRegistration({ rancher, log }: UpContext, target: Target, deadline: Deadline) {
  const existing = await rancher.findRegistration(target);
  if (existing) {
    log.info({ token: existing.id }, "reusing the active registration token");
    return { registration: existing, created: false };
  }
  log.info("the environment has no active registration token: creating one");
  return { registration: await rancher.createRegistration(target, deadline), created: true };
}

/** Exactly the token's image: another spelling would make the agent upgrade itself to the server's. */
async function ensureAgentImage({ docker, log, onPullProgress }: UpContext, image: string): Promise<boolean> {
  if (await hasImage(docker, image)) {
    log.info({ image }, "agent image present");
    return false;
  }
  log.info({ image }, "pulling the agent image");
  await pullImage(docker, image, onPullProgress);
  return true;
}

/** Runs the bootstrap container; answers the environment's hosts as they were just before. */
async function launchAgent(
  context: UpContext,
  target: Target,
  registration: Registration,
  deadline: Deadline,
) {
  const { docker, log, rancher, settings } = context;
  const before = new Map((await rancher.listHosts(target)).map((host) => [host.id, host]));
  const spec = bootstrapSpec(registration, settings, context.env);
  log.info(
    { command: maskToken(dockerRunCommand(spec), registration.token) },
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
  return before;
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
  deadline: Deadline,
) {
  const { rancher, log, settings } = context;
  const evidence: HostEvidence = {
    hostnames: await context.hostnames(),
    before,
    ...(settings.agentIp ? { agentIp: settings.agentIp } : {}),
  };
  let seen: HostRecord[] = [];
  let ours: HostRecord | undefined;
  return deadline.poll(
    context.hostPollMs ?? HOST_POLL_MS,
    async () => {
      seen = await rancher.listHosts(target);
      const match = findOurHost(seen, evidence);
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

async function plan(context: UpContext, target: Target, started: number): Promise<UpPlan> {
  const registration = await context.rancher.findRegistration(target);
  const imagePresent = registration ? await hasImage(context.docker, registration.image) : undefined;
  return {
    kind: "plan",
    changed: false,
    environment: target,
    server: serverInfo(context),
    registration: { wouldCreate: !registration, ...(registration ? { id: registration.id } : {}) },
    agent: registration ? { image: registration.image, imagePresent } : {},
    ...(registration
      ? { command: dockerRunCommand(bootstrapSpec(registration, context.settings, context.env)) }
      : {}),
    apiRequests: context.rancher.requestCount,
    durationSeconds: seconds(started),
  };
}

function pickHost({ id, hostname, state, agentState, agentIpAddress, labels }: HostRecord): UpResult["host"] {
  return { id, hostname, state, agentState, agentIpAddress, labels };
}

function serverInfo({ settings, rancher }: UpContext) {
  return { url: settings.server.url, ...(rancher.serverVersion ? { version: rancher.serverVersion } : {}) };
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 100) / 10;
}
