import type { Deadline } from "../deadline.js";
import { EnrollError, asEnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import { CorruptEnrollment, type Enrollment, type EnrollmentStore } from "../state/enrollment.js";
import {
  connectToEnrollmentServer,
  lookForUnrecordedAgent,
  type AgentFor,
  type Connect,
} from "./connection.js";
import { initialState, runPhases, type FlowState, type Phase } from "./phases.js";
import type { DownResult } from "./result.js";
import { LINE_WORDS, type AgentState, type NodeAgent, type ServerDriver } from "./seam.js";
import { seconds } from "./up.js";

export interface DownContext {
  store: EnrollmentStore;
  log: Logger;
  connect: Connect;
  agentFor: AgentFor;
  purge: boolean;
  /** Go on locally when the server cannot be reached or refuses, leaving the member there (said in the result). */
  force: boolean;
  /**
   * Asks a person before the first change (on a terminal, without `--yes`); undefined: do not ask. Waits until
   * `signal` aborts at the latest (the time left of `--timeout`), then stops asking.
   */
  confirm?: (question: string, signal: AbortSignal) => Promise<boolean>;
  deadline: Deadline;
}

interface DownState extends FlowState {
  context: DownContext;
  started: number;
  enrollment?: Enrollment;
  /** Nothing recorded when the agent was chosen: the machine is looked at, its engine not waited for. */
  unrecorded?: boolean;
  /** With `force`, a damaged record is gone on with as none (and removed at the end); said once. */
  damagedRecord?: CorruptEnrollment;
  agent: NodeAgent;
  agentState: AgentState;
  /** reach server: the driver, and the members to remove (the recorded one, and any of its identity). */
  driver?: ServerDriver;
  toRemove: string[];
  removedMembers: string[];
  /** What the person agreed to, and about which member: the record must still say so once the lock is held. */
  agreed?: string;
  /** What stays on the server (only with `force`). */
  left: string[];
  removedContainers: string[];
  purged: string[];
}

/**
 * Takes the machine out of its target. Nothing changes before the server answered the settings: the agent stops
 * (a running agent would bring its member back), the member leaves the server, then the agent goes, with `purge`
 * the machine's identity, and last the enrollment record, so that a `down` that failed half-way can be run again.
 * Only `force` goes on without the server, and says what it left there.
 */
export const DOWN_PHASES: readonly Phase<DownState>[] = [
  {
    name: "choose agent",
    run: async (s) => {
      const record = await readRecord(s);
      s.unrecorded = !record && !s.damagedRecord;
      s.agent = await s.context.agentFor(record?.serverLine);
    },
  },
  {
    name: "check this machine",
    when: (s) => !s.unrecorded,
    run: (s) => s.agent.preflight(s.context.deadline),
  },
  {
    name: "read enrollment",
    // A person's answer can take long: the lock is taken after it (the record is read again then).
    locked: (s) => !s.context.confirm,
    run: readEnrollment,
  },
  {
    name: "reach server",
    when: (s) => Boolean(s.enrollment?.memberId || s.enrollment?.identity),
    run: reachServer,
  },
  { name: "confirm", when: (s) => Boolean(s.context.confirm), run: askPerson },
  {
    name: "read enrollment again",
    locked: true,
    when: (s) => Boolean(s.context.confirm),
    run: async (s) => {
      await readEnrollment(s);
      if (!s.done && agreement(s) !== s.agreed) throw changedMeanwhile();
    },
  },
  { name: "stop agent", changes: true, run: (s) => s.agent.stop() },
  { name: "remove member", changes: true, when: (s) => Boolean(s.driver), run: removeFromServer },
  {
    name: "remove agent",
    changes: true,
    run: async (s) => {
      s.removedContainers = await s.agent.remove(s.context.deadline);
    },
  },
  {
    name: "purge identity",
    changes: true,
    when: (s) => s.context.purge,
    run: async (s) => {
      const images = [s.enrollment?.agentImage, s.agentState.image].filter((i): i is string => Boolean(i));
      s.purged = await s.agent.purge(images, s.context.deadline);
    },
  },
  { name: "forget enrollment", changes: true, run: (s) => s.context.store.remove() },
];

export async function down(context: DownContext): Promise<DownResult> {
  const state = initialState<DownState>({
    context,
    started: Date.now(),
    toRemove: [],
    removedMembers: [],
    left: [],
    removedContainers: [],
    purged: [],
  });
  await runPhases(DOWN_PHASES, state, {
    log: context.log,
    deadline: context.deadline,
    dryRun: false,
    lockDir: context.store.dir,
  });
  const { removedMembers, removedContainers, purged, left } = state;
  return {
    kind: "down",
    changed: Boolean(removedMembers.length || removedContainers.length || purged.length),
    words: LINE_WORDS[state.agent.line],
    removedMembers,
    removedContainers,
    purged,
    ...(left.length ? { leftOnServer: left } : {}),
    durationSeconds: seconds(state.started),
  };
}

async function readEnrollment(s: DownState): Promise<void> {
  s.enrollment = await readRecord(s);
  s.agentState =
    s.enrollment || s.damagedRecord
      ? await s.agent.inspect()
      : await lookForUnrecordedAgent(s.agent, s.context.log);
  s.done = !s.enrollment && !s.damagedRecord && !s.agentState.present && !s.context.purge;
  if (s.done) s.context.log.info("this machine is not enrolled: nothing to do");
}

/**
 * The question waits at most until `--timeout` runs out (a terminal may have nobody at it), and holds no lock
 * meanwhile: other runs may go on, and the record is read again under the lock before anything changes.
 */
async function askPerson(s: DownState): Promise<void> {
  const { confirm, deadline } = s.context;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), deadline.remainingMs());
  const yes = await confirm!(question(s), stop.signal)
    .catch((error: unknown) => {
      if (!stop.signal.aborted) throw error;
      throw new EnrollError(
        "timeout",
        `no answer to down's question within --timeout (${deadline.seconds} s): nothing was changed`,
        "Answer within --timeout (or raise it), or pass --yes to take the machine down without a question.",
      );
    })
    .finally(() => clearTimeout(timer));
  if (!yes) throw new EnrollError("usage", "down cancelled: nothing was changed");
  s.agreed = agreement(s);
}

/** What the person agreed to: the question, and the member the record names. */
function agreement(s: DownState): string {
  return `${s.enrollment?.memberId ?? ""} ${question(s)}`;
}

function changedMeanwhile(): EnrollError {
  return new EnrollError(
    "usage",
    "the enrollment changed while down waited for the answer (another rancher-enroll run?): nothing was changed",
    "Run `down` again: it asks about what the machine shows now.",
  );
}

/** The enrollment record; with `force`, a damaged one reads as none, with a warning. */
async function readRecord(s: DownState): Promise<Enrollment | undefined> {
  try {
    return await s.context.store.read();
  } catch (error) {
    if (!(error instanceof CorruptEnrollment) || !s.context.force) throw error;
    if (!s.damagedRecord)
      s.context.log.warn(`--force: ${error.message}; going on without it, and removing it`);
    s.damagedRecord = error;
    return undefined;
  }
}

/**
 * The settings resolved and the server asked, before anything changes: the recorded member, and any other member
 * of the same identity (1.6: hosts of the same agent). Without `force`, a failure here changes nothing.
 */
async function reachServer(s: DownState): Promise<void> {
  const enrollment = s.enrollment!;
  const memberId = enrollment.memberId;
  try {
    const driver = await connectToEnrollmentServer(s.context.connect, enrollment);
    const ids = new Set<string>();
    if (memberId && (await driver.getMember(enrollment.target, memberId))) ids.add(memberId);
    if (enrollment.identity) {
      const ofIdentity = await driver.listMembers(enrollment.target);
      for (const m of ofIdentity) if (m.identity === enrollment.identity) ids.add(m.id);
    }
    s.driver = driver;
    s.toRemove = [...ids];
  } catch (error) {
    const failure = asEnrollError(error);
    if (!s.context.force) throw unreachable(failure, enrollment);
    s.left = [describeMember(enrollment)];
    s.context.log.warn(`--force: going on without the server (${failure.message}); ${s.left[0]} stays there`);
  }
}

async function removeFromServer(s: DownState): Promise<void> {
  const enrollment = s.enrollment!;
  const driver = s.driver!;
  const { target } = enrollment;
  const { words } = driver;
  for (const id of s.toRemove) {
    s.context.log.info(
      { [words.member]: id },
      `removing ${words.member} ${id} from ${words.target} ${target.name} (${target.id})`,
    );
    try {
      await driver.removeMember(target, id, s.context.deadline);
    } catch (error) {
      const remaining = s.toRemove.filter((other) => !s.removedMembers.includes(other));
      const left = remaining.map((other) => describeMember(enrollment, other));
      if (!s.context.force) throw stoppedHalfWay(asEnrollError(error), left);
      s.left.push(...left);
      s.context.log.warn(`--force: going on without the server; ${left.join(", ")} stays there`);
      return;
    }
    s.removedMembers.push(id);
  }
}

/** What the person is asked to agree to: everything down is about to do, in order. */
function question(s: DownState): string {
  const { enrollment, agentState, context, toRemove, left } = s;
  const words = LINE_WORDS[s.agent.line];
  const steps = [
    ...(enrollment && toRemove.length
      ? [
          `remove ${words.member} ${toRemove.join(", ")} from ${words.target} ${enrollment.target.name} ` +
            `(${enrollment.target.id}) of ${enrollment.server}`,
        ]
      : []),
    ...(left.length ? [`leave ${left.join(", ")} on the server`] : []),
    ...(agentState.present ? [`remove ${s.agent.name}`] : []),
    ...(context.purge ? ["forget this machine's identity"] : []),
    ...(enrollment || s.damagedRecord ? ["forget the enrollment"] : []),
  ];
  const last = steps.pop();
  return `This will ${steps.length ? `${steps.join(", ")} and ${last}` : last}. Proceed?`;
}

/**
 * A member, by default the recorded one; one not confirmed yet (an interrupted `up`) by the identity the agent
 * registered with.
 */
function describeMember(
  enrollment: Enrollment,
  id = enrollment.memberId ?? `of identity ${enrollment.identity}`,
): string {
  const words = LINE_WORDS[enrollment.serverLine];
  const { target, server } = enrollment;
  return `${words.member} ${id} in ${words.target} ${target.name} (${target.id}) of ${server}`;
}

/** Nothing was changed: the settings did not reach the server. */
function unreachable(failure: EnrollError, enrollment: Enrollment): EnrollError {
  const member = describeMember(enrollment);
  const { member: word } = LINE_WORDS[enrollment.serverLine];
  return new EnrollError(
    failure.kind,
    `cannot take ${member} out: ${failure.message}; nothing was changed`,
    `${failure.hint ? `${failure.hint} ` : ""}Then run \`down\` again. \`down --force\` removes the agent from ` +
      `this machine anyway, and leaves the ${word} on the server for you to remove in the Rancher UI.`,
    { cause: failure },
  );
}

/** The server answered, then failed: the agent is stopped, the record kept, so that `down` again can finish. */
function stoppedHalfWay(failure: EnrollError, left: string[]): EnrollError {
  return new EnrollError(
    failure.kind,
    `${left.join(", ")} could not be removed from the server: ${failure.message}; the agent is stopped, ` +
      "its container and the enrollment record are kept",
    "Run `down` again once the server answers (`up` starts the agent again instead); `down --force` removes " +
      "the agent anyway and leaves it on the server.",
    { cause: failure },
  );
}
