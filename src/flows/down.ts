import type { Deadline } from "../deadline.js";
import { EnrollError, asEnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Enrollment, EnrollmentStore } from "../state/enrollment.js";
import { connectToEnrollmentServer, type AgentFor, type Connect } from "./connection.js";
import { initialState, runPhases, type FlowState, type Phase } from "./phases.js";
import type { DownResult } from "./result.js";
import { LINE_WORDS, type AgentState, type NodeAgent } from "./seam.js";
import { seconds } from "./up.js";

export interface DownContext {
  store: EnrollmentStore;
  log: Logger;
  connect: Connect;
  agentFor: AgentFor;
  purge: boolean;
  deadline: Deadline;
}

interface DownState extends FlowState {
  context: DownContext;
  started: number;
  enrollment?: Enrollment;
  agent: NodeAgent;
  agentState: AgentState;
  removedMembers: string[];
  /** What stays on the server, and why, when it could not be reached. */
  left: string[];
  failure?: EnrollError;
  removedContainers: string[];
  purged: string[];
}

/**
 * Takes the machine out of its target: the agent stops first (a running agent would bring its member back),
 * then the member leaves the server, then the agent goes, and with `purge` the machine's identity. When the
 * server cannot be reached the local part is still done, and the error says what is left there.
 */
export const DOWN_PHASES: readonly Phase<DownState>[] = [
  {
    name: "choose agent",
    run: async (s) => {
      s.agent = await s.context.agentFor((await s.context.store.read())?.serverLine);
    },
  },
  { name: "check this machine", run: (s) => s.agent.preflight(s.context.deadline) },
  {
    name: "read enrollment",
    locked: true,
    run: async (s) => {
      [s.enrollment, s.agentState] = await Promise.all([s.context.store.read(), s.agent.inspect()]);
      s.done = !s.enrollment && !s.agentState.present && !s.context.purge;
      if (s.done) s.context.log.info("this machine is not enrolled: nothing to do");
    },
  },
  { name: "stop agent", changes: true, run: (s) => s.agent.stop() },
  { name: "remove member", changes: true, run: removeFromServer },
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
  if (state.failure) throw leftBehind(state.failure, state.left);
  const { removedMembers, removedContainers, purged } = state;
  return {
    kind: "down",
    changed: Boolean(removedMembers.length || removedContainers.length || purged.length),
    words: LINE_WORDS[state.agent.line],
    removedMembers,
    removedContainers,
    purged,
    durationSeconds: seconds(state.started),
  };
}

/** The recorded member, and any other member of the same identity (1.6: hosts of the same agent). */
async function removeFromServer(s: DownState): Promise<void> {
  const { enrollment } = s;
  if (!enrollment?.memberId) return;
  const { target } = enrollment;
  const ids = [enrollment.memberId];
  try {
    const driver = await connectToEnrollmentServer(s.context.connect, enrollment);
    const { words } = driver;
    if (enrollment.identity) {
      const ofIdentity = (await driver.listMembers(target)).filter((m) => m.identity === enrollment.identity);
      ids.push(...ofIdentity.map((m) => m.id).filter((id) => id !== enrollment.memberId));
    }
    for (const id of ids) {
      s.context.log.info(
        { [words.member]: id },
        `removing ${words.member} ${id} from ${words.target} ${target.name} (${target.id})`,
      );
      await driver.removeMember(target, id, s.context.deadline);
      s.removedMembers.push(id);
    }
  } catch (error) {
    const words = LINE_WORDS[enrollment.serverLine];
    s.left = ids
      .filter((id) => !s.removedMembers.includes(id))
      .map(
        (id) =>
          `${words.member} ${id} in ${words.target} ${target.name} (${target.id}) of ${enrollment.server}`,
      );
    s.failure = asEnrollError(error);
  }
}

function leftBehind(failure: EnrollError, left: string[]): EnrollError {
  return new EnrollError(
    failure.kind,
    `the agent was removed from this machine, but ${left.join(", ")} remains on the server: ${failure.message}`,
    "Remove it in the Rancher UI (deactivate, then delete), or run `down` again with working settings once the server is reachable.",
  );
}
