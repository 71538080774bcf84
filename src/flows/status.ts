import type { Deadline } from "../deadline.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Enrollment, EnrollmentStore } from "../state/enrollment.js";
import {
  connectToEnrollmentServer,
  lookForUnrecordedAgent,
  type AgentFor,
  type Connect,
} from "./connection.js";
import { initialState, runPhases, type FlowState, type Phase } from "./phases.js";
import { STATUS_EXIT_CODES, type StatusResult, type Unchecked } from "./result.js";
import { LINE_WORDS, type AgentState, type Member, type NodeAgent } from "./seam.js";

export interface StatusContext {
  log: Logger;
  deadline: Deadline;
  store: EnrollmentStore;
  agentFor: AgentFor;
  /** Used only when there is a member to ask about: a machine never enrolled needs no credentials. */
  connect: Connect;
}

interface StatusState extends FlowState {
  context: StatusContext;
  enrollment?: Enrollment;
  agent: NodeAgent;
  agentState: AgentState;
  /** Null when the server no longer has it; absent when not asked. */
  member?: Member | null;
  /** Why the server could not be asked: the local facts are reported all the same. */
  unchecked?: Unchecked;
}

/** What the machine and the server say about this machine's enrollment; changes nothing. */
export const STATUS_PHASES: readonly Phase<StatusState>[] = [
  {
    name: "read enrollment",
    run: async (s) => {
      s.enrollment = await s.context.store.read();
      s.agent = await s.context.agentFor(s.enrollment?.serverLine);
    },
  },
  {
    name: "check this machine",
    when: (s) => Boolean(s.enrollment),
    run: (s) => s.agent.preflight(s.context.deadline),
  },
  {
    name: "inspect agent",
    run: async (s) => {
      s.agentState = s.enrollment
        ? await s.agent.inspect()
        : await lookForUnrecordedAgent(s.agent, s.context.log);
      s.done = !s.enrollment && !s.agentState.present;
    },
  },
  {
    name: "ask the server",
    when: (s) => Boolean(s.enrollment?.memberId),
    run: async (s) => {
      const { target, memberId, serverLine } = s.enrollment!;
      try {
        const driver = await connectToEnrollmentServer(s.context.connect, s.enrollment!);
        s.member = (await driver.getMember(target, memberId!)) ?? null;
      } catch (error) {
        if (!(error instanceof EnrollError)) throw error;
        const what = `${LINE_WORDS[serverLine].member} ${memberId} on the server`;
        s.context.log.warn(`cannot check the ${what}: ${error.message}`);
        const { kind, exitCode, message, hint } = error;
        s.unchecked = { what, kind, exitCode, message, ...(hint ? { hint } : {}) };
      }
    },
  },
];

export async function status(context: StatusContext): Promise<StatusResult> {
  const state = initialState<StatusState>({ context });
  await runPhases(STATUS_PHASES, state, {
    log: context.log,
    deadline: context.deadline,
    dryRun: false,
    lockDir: context.store.dir,
  });
  return describe(state);
}

function describe({ enrollment, agent, agentState, member, unchecked }: StatusState): StatusResult {
  const words = LINE_WORDS[agent.line];
  const base = { kind: "status" as const, changed: false as const, words, agent: agentState };
  if (!enrollment && !agentState.present)
    return {
      ...base,
      enrolled: false,
      healthy: false,
      problems: ["not enrolled"],
      exitCode: STATUS_EXIT_CODES.notEnrolled,
    };
  const problems = diagnose(enrollment, agent, agentState, member, words.member);
  const agentHandedOver = !agentState.present && handedOver(enrollment, agent, member);
  return {
    ...base,
    ...(agentHandedOver ? { agentHandedOver } : {}),
    enrolled: true,
    healthy: problems.length === 0 && !unchecked,
    problems,
    ...(enrollment ? { enrollment: describeEnrollment(enrollment) } : {}),
    ...(member === undefined ? {} : { member }),
    ...(unchecked ? { unchecked } : {}),
    exitCode: problems.length
      ? STATUS_EXIT_CODES.unhealthy
      : unchecked
        ? STATUS_EXIT_CODES.unchecked
        : STATUS_EXIT_CODES.active,
  };
}

function diagnose(
  enrollment: Enrollment | undefined,
  agent: NodeAgent,
  state: AgentState,
  member: Member | null | undefined,
  word: string,
): string[] {
  const problems: string[] = [];
  if (!state.present && !handedOver(enrollment, agent, member)) problems.push(`${agent.name} is missing`);
  else if (state.present && !state.running) problems.push(`${agent.name} is stopped`);
  if (!enrollment) problems.push(`${agent.name} runs, but rancher-enroll did not enroll this machine`);
  else if (!enrollment.memberId)
    problems.push(`the last enrollment was interrupted before the ${word} was confirmed`);
  else if (member === null) problems.push(`${word} ${enrollment.memberId} no longer exists on the server`);
  else if (member && !member.ready)
    problems.push(`${word} ${member.id} is ${member.state}${member.waiting ? ` (${member.waiting})` : ""}`);
  return problems;
}

/**
 * Rancher 2.x's node agent removes the agent container once the cluster runs: its absence is normal then, unless
 * the server says the confirmed member is gone or not ready.
 */
function handedOver(
  enrollment: Enrollment | undefined,
  agent: NodeAgent,
  member: Member | null | undefined,
): boolean {
  return (
    agent.leavesOnceJoined && Boolean(enrollment?.memberId) && member !== null && member?.ready !== false
  );
}

function describeEnrollment(enrollment: Enrollment): NonNullable<StatusResult["enrollment"]> {
  const { server, serverLine, target, memberId, confirmedAt } = enrollment;
  return {
    server,
    serverLine,
    target,
    ...(memberId ? { memberId } : {}),
    ...(confirmedAt ? { confirmedAt } : {}),
  };
}
