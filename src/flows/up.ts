import { wantedTarget, type UpSettings } from "../config/settings.js";
import { SERVER_PACE, type Deadline } from "../deadline.js";
import { EnrollError } from "../errors.js";
import { maskToken, type Logger } from "../log.js";
import type { Enrollment, EnrollmentStore } from "../state/enrollment.js";
import { ENROLLMENT_VERSION } from "../state/enrollment.js";
import { interfaceAddress } from "./agent-ip.js";
import { agentOfLine, type AgentFor, type Connect } from "./connection.js";
import { initialState, runPhases, type FlowState, type Phase } from "./phases.js";
import type { ServerInfo, UpPlan, UpResult } from "./result.js";
import type {
  AgentPlan,
  Evidence,
  JoinPeek,
  JoinSpec,
  Member,
  NodeAgent,
  NodeOptions,
  ServerDriver,
  ServerLine,
  Target,
  Words,
} from "./seam.js";

export interface UpContext {
  settings: UpSettings;
  /** The one clock of the command: `--timeout` bounds everything up does. */
  deadline: Deadline;
  connect: Connect;
  agentFor: AgentFor;
  /** The line the server URL's path names, if it names one. */
  urlLine?: ServerLine;
  store: EnrollmentStore;
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
}

/** What up learns phase by phase; each field is set by the phase named beside it. */
interface UpState extends FlowState {
  context: UpContext;
  started: number;
  options: NodeOptions;
  /** check this machine: the line recorded for this server, or named by its URL */
  localLine?: ServerLine;
  /** check this machine; for a 2.x cluster not known here, resolve target (the cluster's line decides) */
  agent: NodeAgent;
  /** choose server line */
  driver: ServerDriver;
  /** check current enrollment */
  previous?: Enrollment;
  current?: Member;
  /** resolve target */
  target: Target;
  /** obtain registration (its dry run: the peek) */
  join?: JoinSpec;
  created: boolean;
  peek?: JoinPeek;
  /** prepare agent (its dry run: the plan) */
  imagePulled: boolean;
  agentPlan?: AgentPlan;
  /** launch agent */
  evidence?: Evidence;
  /** confirm member */
  member?: Member;
}

/** Enrolls this machine: one list of phases; a dry run walks the same ones and changes nothing. */
export const UP_PHASES: readonly Phase<UpState>[] = [
  {
    name: "choose agent address",
    when: (s) => Boolean(s.context.settings.agentInterface),
    run: async (s) => {
      s.options.address = await interfaceAddress(s.context.settings.agentInterface!);
    },
  },
  { name: "check this machine", run: checkMachine },
  { name: "choose server line", run: chooseLine },
  { name: "check current enrollment", locked: true, run: checkCurrent },
  { name: "resolve target", run: resolveTarget },
  { name: "check options for the line", run: checkLineOptions },
  {
    name: "obtain registration",
    changes: true,
    run: async (s) => {
      ({ join: s.join, created: s.created } = await s.driver.obtainJoin(s.target, s.context.deadline));
    },
    plan: async (s) => {
      s.peek = await s.driver.peekJoin(s.target);
    },
  },
  {
    name: "prepare agent",
    changes: true,
    run: async (s) => {
      ({ imagePulled: s.imagePulled } = await s.agent.provision(s.join!, s.options, s.context.deadline));
    },
    plan: async (s) => {
      if (s.peek?.join) s.agentPlan = await s.agent.describe(s.peek.join, s.options);
    },
  },
  { name: "launch agent", changes: true, run: launch },
  { name: "confirm member", changes: true, run: confirm },
  { name: "record enrollment", changes: true, run: record },
];

export async function up(context: UpContext): Promise<UpResult | UpPlan> {
  const { settings, log, deadline } = context;
  const state = initialState<UpState>({
    context,
    started: Date.now(),
    options: nodeOptions(settings, context.env),
    created: false,
    imagePulled: false,
  });
  await runPhases(UP_PHASES, state, {
    log,
    deadline,
    dryRun: settings.dryRun,
    lockDir: context.store.dir,
  });
  if (settings.dryRun) return plan(state);
  return result(state);
}

/** Every line's options in one place; each agent takes those of its line (`checkLineOptions` refuses the others). */
function nodeOptions(settings: UpSettings, env: UpContext["env"]): NodeOptions {
  const { roles, nodeName, internalAddress, taints } = settings.node;
  const address = settings.node.address ?? settings.agentIp;
  return {
    labels: settings.labels,
    env,
    roles,
    taints,
    ...(address ? { address } : {}),
    ...(internalAddress ? { internalAddress } : {}),
    ...(nodeName ? { nodeName } : {}),
    ...(settings.server.caCert ? { caCert: settings.server.caCert } : {}),
  };
}

/** An option of the other server line is a usage error that names this line's words, before anything changes. */
async function checkLineOptions(s: UpState): Promise<void> {
  const { settings } = s.context;
  const given = [...settings.nodeFlagsGiven, ...(settings.agentIp ? ["--agent-ip"] : [])];
  const foreign = given.filter((flag) => !s.agent.optionFlags.includes(flag));
  if (!foreign.length) return;
  const { words } = s.driver;
  throw new EnrollError(
    "usage",
    `${foreign.join(", ")} ${foreign.length > 1 ? "are not options" : "is not an option"} for this server, which is ${words.server}`,
    `Leave ${foreign.length > 1 ? "them" : "it"} out: on ${words.server}, ${words.targetFlag} names the ${words.target} and ${words.addressFlag} the ${words.member}'s address.`,
  );
}

/** What `up` waits for: the member ready, or with `--wait-for registered` known to the server as a member. */
function reached(s: UpState, member: Member): boolean {
  return s.context.settings.node.waitFor === "registered" ? member.registered : member.ready;
}

/**
 * This machine is checked before the server is asked anything, by the agent of the line known here: the one
 * recorded for this server, else the one the URL names, else the agent machines run today. On Rancher 2.x (a
 * `/v3` URL, or `--cluster`) the line is the cluster's (RKE1 or RKE2/K3s): the machine is checked once the
 * cluster is found, which only reads.
 */
async function checkMachine(s: UpState): Promise<void> {
  const { agentFor, store, settings, urlLine, deadline } = s.context;
  const stored = await store.read();
  const recorded = stored?.server === settings.server.url ? stored.serverLine : undefined;
  s.localLine = recorded ?? urlLine;
  const clusterDecides = urlLine === "v3" || wantedTarget(settings)?.word === "cluster";
  if (!recorded && clusterDecides) return;
  s.agent = await agentFor(s.localLine);
  await s.agent.preflight(deadline);
}

/** The server's line (asked for only when not known here): its driver, and its agent, chosen once. */
async function chooseLine(s: UpState): Promise<void> {
  const { connect, agentFor, deadline } = s.context;
  s.driver = (await connect(s.localLine)).driver;
  if (s.agent) s.agent = await agentOfLine(s.agent, s.driver.line, agentFor, deadline);
}

/** Refuses a move; ends the flow when an earlier run's member is still here and ready. */
async function checkCurrent(s: UpState): Promise<void> {
  const { store, settings, log } = s.context;
  const previous = await store.read();
  if (!previous) return;
  s.previous = previous;
  refuseMove(previous, settings, s.driver);
  await adoptRecordedLine(s, previous.serverLine);
  if (!previous.memberId) return;
  const agent = await s.agent.inspect();
  const member = { word: s.driver.words.member, id: previous.memberId };
  // Rancher 2.x removes its agent container once the cluster runs: then the member alone tells.
  const handedOver = !agent.present && s.agent.leavesOnceJoined;
  if (!agent.running && !handedOver) {
    log.info(`${s.agent.name} is ${agent.present ? "stopped" : "missing"}: launching the agent again`);
    return;
  }
  const current = await s.driver.getMember(previous.target, previous.memberId);
  if (current && reached(s, current)) {
    refuseChange(current, s.options, s.driver.words);
    if (handedOver)
      log.info(`${s.agent.name} is gone, as Rancher removes it once the ${s.driver.words.target} runs`);
    Object.assign(s, { current, target: previous.target, done: true });
    return;
  }
  log.info(
    { [member.word]: member.id, state: current?.state ?? "gone" },
    `${member.word} ${member.id} is ${current?.state ?? "gone from the server"}: launching the agent again`,
  );
}

/**
 * The line recorded for this server is the one to go on with: a run that waited for the lock may find that
 * another run (`up` twice at once) recorded it after this one chose its driver, or checked no machine yet (a 2.x
 * cluster decides the line).
 */
async function adoptRecordedLine(s: UpState, line: ServerLine): Promise<void> {
  const { connect, agentFor, deadline } = s.context;
  if (s.driver.line !== line) s.driver = (await connect(line)).driver;
  s.agent = await agentOfLine(s.agent, line, agentFor, deadline);
}

/**
 * A re-run with other settings than the member has (labels, address) says what differs instead of "already
 * enrolled": the agent applies them only when it registers, so they cannot be applied in place.
 */
function refuseChange(current: Member, options: NodeOptions, words: Words): void {
  const differences = [
    ...Object.entries(options.labels)
      .filter(([key, value]) => current.labels && current.labels[key] !== value)
      .map(
        ([key, value]) =>
          `label ${key}: asked ${value}, the ${words.member} has ${current.labels?.[key] ?? "none"}`,
      ),
    ...(options.address && options.address !== current.address
      ? [`address: asked ${options.address}, the ${words.member} has ${current.address ?? "none"}`]
      : []),
  ];
  if (differences.length === 0) return;
  throw new EnrollError(
    "differs",
    `${words.member} ${current.id} is enrolled already, with other settings: ${differences.join("; ")}; nothing was changed`,
    `Labels can be changed on the ${words.member} in the Rancher UI. To register with these settings, run ` +
      "`rancher-enroll down`, then `up` with them (a new " +
      `${words.member} record); or run \`up\` with the settings it was enrolled with.`,
  );
}

/** Moving a machine to another target or server is `down` then `up`: never two members for one machine. */
function refuseMove(previous: Enrollment, settings: UpSettings, driver: ServerDriver): void {
  const named = wantedTarget(settings)?.nameOrId ?? settings.server.projectHint;
  const { id, name } = previous.target;
  const sameTarget = !named || named === id || named.toLowerCase() === name.toLowerCase();
  if (previous.server === settings.server.url && sameTarget) return;
  throw new EnrollError(
    "usage",
    `this machine is enrolled in ${driver.words.target} ${name} (${id}) of ${previous.server}`,
    "Run `rancher-enroll down` first to take it out of there, then `up` again.",
  );
}

/** The target, and the line its members join by (a 2.x cluster's own): that line's driver and agent from here on. */
async function resolveTarget(s: UpState): Promise<void> {
  const { settings, log, agentFor, deadline } = s.context;
  s.target = await s.driver.findTarget(wantedTarget(settings));
  s.driver = s.driver.forTarget(s.target);
  log.info(
    { [s.driver.words.target]: s.target, line: s.driver.line },
    `${s.driver.words.target} ${s.target.name} (${s.target.id})`,
  );
  s.agent = await agentOfLine(s.agent, s.driver.line, agentFor, deadline);
  await s.agent.announceAddress(s.options, s.driver.clientIp);
}

/**
 * Launches the agent; the target's members just before are the evidence for finding ours afterwards. The launch
 * is recorded first, so that a run killed while waiting leaves the next one the evidence it needs.
 */
async function launch(s: UpState): Promise<void> {
  const { store, deadline } = s.context;
  const join = s.join!;
  const before = new Map((await s.driver.listMembers(s.target)).map((member) => [member.id, member]));
  const previous = s.previous;
  const launched: Enrollment = {
    version: ENROLLMENT_VERSION,
    serverLine: s.driver.line,
    server: s.context.settings.server.url,
    ...profileOf(s.context.settings),
    target: s.target,
    joinId: join.id,
    ...(join.image ? { agentImage: join.image } : {}),
    launchedAt: new Date().toISOString(),
    ...(previous?.identity ? { identity: previous.identity } : {}),
  };
  await store.write(launched);
  const installed = await s.agent.install(join, s.options, deadline);
  // Known before the server has the member (the system agent's machine id): `down` can find it after a kill.
  if (installed.identity && installed.identity !== launched.identity)
    await store.write({ ...launched, identity: installed.identity });
  const knownIdentity = installed.identity ?? previous?.identity;
  s.evidence = {
    names: await s.agent.names(s.options),
    before,
    ...(s.options.address ? { address: s.options.address } : {}),
    ...(knownIdentity ? { knownIdentity } : {}),
    ...(previous && !previous.memberId ? { unconfirmedLaunchAt: previous.launchedAt } : {}),
  };
}

/**
 * Polls the target until our member is ready, decided by evidence rather than by the first name match. Each change
 * of its state after the first sight starts the pace over: the server is working on it, and its next change tends
 * to follow soon (the first sight comes soon after the launch, while the pace is still quick).
 */
async function confirm(s: UpState): Promise<void> {
  const { log, deadline } = s.context;
  const evidence = s.evidence!;
  const { words } = s.driver;
  let seen: Member[] = [];
  let ours: Member | undefined;
  let holds: string | undefined;
  let relaunched = false;
  s.member = await deadline.poll(
    SERVER_PACE,
    async (pacing) => {
      seen = await s.driver.listMembers(s.target);
      const match = s.driver.identify(seen, evidence);
      // Only while there is still something to wait for: the last look returns as soon as the server answers.
      const looping = match && reached(s, match.member) ? undefined : await s.agent.crashLoop?.();
      if (looping) throw crashLoopError(s, looping, match?.member);
      if (!match && !relaunched && (await s.agent.lostCredentials())) {
        // The server removed the agent after handing its old credentials to our launch.
        log.warn("the agent says its credentials are no longer valid: registering it again");
        relaunched = true;
        await s.agent.install(s.join!, s.options, deadline);
      }
      if (match && ours && match.member.state !== ours.state) pacing.restart();
      // Progress, not silence: a change of state, or of what it waits for (rke2 installing takes minutes).
      if (match && (match.member.state !== ours?.state || match.member.waiting !== ours?.waiting)) {
        holds = reached(s, match.member)
          ? undefined
          : await s.driver.whyWaiting(s.target, match.member, seen);
        const { id, state, waiting } = match.member;
        log.info(
          { [words.member]: id, state, why: match.why, ...(holds ? { waiting: holds } : {}) },
          `${words.member} ${id} is ${state}${waiting ? ` (${waiting})` : ""}${holds ? `: ${holds}` : ""}`,
        );
      }
      ours = match?.member;
      return ours && reached(s, ours) ? ours : undefined;
    },
    () => describeWait(s, ours, seen, holds),
  );
}

/** An agent that keeps exiting will not get the member ready however long we wait: say what it says, now. */
function crashLoopError(s: UpState, looping: string, ours: Member | undefined): EnrollError {
  const { words } = s.driver;
  const member = ours
    ? `${words.member} ${ours.id} is ${ours.state}`
    : `no ${words.member} of this machine yet`;
  return new EnrollError(
    "docker",
    `${s.agent.name} keeps failing, so up stopped waiting (${member}): ${maskToken(looping, s.join?.secret)}`,
    "Its last lines say why it cannot work (e.g. the server's address in the registration command is unreachable from here). " +
      "Fix that and run `rancher-enroll up` again (it replaces the container); `rancher-enroll down` removes it.",
  );
}

function describeWait(s: UpState, ours: Member | undefined, seen: Member[], holds?: string): string {
  const { words } = s.driver;
  if (ours) {
    const goal = s.context.settings.node.waitFor === "registered" ? "register" : "become active";
    const detail = ours.waiting ? ` (${ours.waiting})` : "";
    const why = holds ? `; ${holds}` : "";
    return `${words.member} ${ours.id} (${ours.name}) did not ${goal}; last state "${ours.state}"${detail}${why}`;
  }
  const { names, knownIdentity } = s.evidence!;
  const older = seen.filter((m) => s.evidence!.before.has(m.id) && names.includes(m.name));
  const others = older.length
    ? `; ${words.member}s with this name are all older: ${older.map((m) => `${m.id} (${m.state})`).join(", ")}`
    : "";
  const identity = knownIdentity ? ` or of this machine's identity ${knownIdentity}` : "";
  return `no ${words.member} named ${names.join(" or ")}${identity} appeared in the ${words.target}${others}`;
}

async function record(s: UpState): Promise<void> {
  const { store, settings } = s.context;
  const member = s.member!;
  const join = s.join!;
  const launched = await store.read();
  await store.write({
    version: ENROLLMENT_VERSION,
    serverLine: s.driver.line,
    server: settings.server.url,
    ...profileOf(settings),
    target: s.target,
    joinId: join.id,
    ...(join.image ? { agentImage: join.image } : {}),
    launchedAt: launched?.launchedAt ?? new Date().toISOString(),
    memberId: member.id,
    ...(member.identity ? { identity: member.identity } : {}),
    memberName: member.name,
    confirmedAt: new Date().toISOString(),
  });
}

function profileOf({ profile }: UpSettings): Pick<Enrollment, "profile"> {
  return profile ? { profile } : {};
}

function serverInfo({ context, driver }: UpState): ServerInfo {
  const version = driver.serverVersion;
  return { url: context.settings.server.url, ...(version ? { version } : {}) };
}

function result(s: UpState): UpResult {
  const member = s.current ?? s.member!;
  const previous = s.previous;
  const fresh = !s.current;
  const image = fresh ? s.join?.image : previous?.agentImage;
  return {
    kind: "enrolled",
    changed: fresh,
    words: s.driver.words,
    serverLine: s.driver.line,
    member,
    target: s.target,
    server: serverInfo(s),
    agent: { ...(image ? { image } : {}), imagePulled: s.imagePulled },
    registration: fresh ? { id: s.join!.id, created: s.created } : { id: previous!.joinId, created: false },
    apiRequests: s.driver.requestCount,
    durationSeconds: seconds(s.started),
  };
}

function plan(s: UpState): UpPlan {
  const base = {
    kind: "plan" as const,
    changed: false as const,
    words: s.driver.words,
    serverLine: s.driver.line,
    target: s.target,
    server: serverInfo(s),
    apiRequests: s.driver.requestCount,
    durationSeconds: seconds(s.started),
  };
  if (s.current) return { ...base, member: s.current };
  const { join, pendingId } = s.peek ?? {};
  const agentPlan = s.agentPlan;
  return {
    ...base,
    registration: {
      wouldCreate: !join && !pendingId,
      ...(join ? { id: join.id } : pendingId ? { id: pendingId } : {}),
    },
    agent: agentPlan ? { image: agentPlan.image, imagePresent: agentPlan.imagePresent } : {},
    ...(agentPlan?.command ? { command: agentPlan.command } : {}),
  };
}

export function seconds(since: number): number {
  return Math.round((Date.now() - since) / 100) / 10;
}
