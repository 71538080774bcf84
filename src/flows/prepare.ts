import { lineOfAgentImage } from "../agents/agent-image.js";
import type { Deadline } from "../deadline.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import { CorruptEnrollment, type Enrollment, type EnrollmentStore } from "../state/enrollment.js";
import { agentOfLine, type AgentFor, type Connect } from "./connection.js";
import { initialState, runPhases, type FlowState, type Phase } from "./phases.js";
import type { PrepareResult } from "./result.js";
import type { NodeAgent, ServerDriver, ServerLine, Wanted } from "./seam.js";

export interface PrepareContext {
  store: EnrollmentStore;
  log: Logger;
  /** The image named by the user; else the server's, when settings for it are given. */
  agentImage?: string;
  connect?: Connect;
  agentFor: AgentFor;
  /** The environment or cluster whose agent image to pull, as the user named it. */
  wanted?: Wanted;
  clean: boolean;
  deadline: Deadline;
}

interface PrepareState extends FlowState {
  context: PrepareContext;
  /** An enrollment made on this machine (the image build tried `up`), if any. */
  enrollment?: Enrollment;
  driver?: ServerDriver;
  /** check this machine; for a 2.x cluster named, choose agent image (the cluster's line decides) */
  agent: NodeAgent;
  image?: string;
  imagePulled: boolean;
  removedContainers: string[];
  purged: string[];
}

/** For image builders: the agent image pulled ahead of time, and with `clean` no machine identity left behind. */
export const PREPARE_PHASES: readonly Phase<PrepareState>[] = [
  {
    name: "check this machine",
    run: async (s) => {
      s.enrollment = await readRecord(s.context.store);
      const line = localLine(s.context, s.enrollment);
      if (line === null) return;
      s.agent = await s.context.agentFor(line);
      await s.agent.preflight(s.context.deadline);
    },
  },
  { name: "choose agent image", locked: true, run: chooseImage },
  {
    name: "pull agent image",
    changes: true,
    when: (s) => Boolean(s.image),
    run: async (s) => {
      s.imagePulled = await s.agent.prefetch(s.image!);
    },
  },
  {
    name: "remove agent",
    changes: true,
    when: (s) => s.context.clean,
    run: async (s) => {
      s.removedContainers = await s.agent.remove(s.context.deadline);
    },
  },
  {
    name: "purge identity",
    changes: true,
    when: (s) => s.context.clean,
    run: async (s) => {
      const images = [s.image, s.enrollment?.agentImage].filter((image): image is string => Boolean(image));
      const purged = await s.agent.purge(images, s.context.deadline);
      await s.context.store.remove();
      s.purged = [...purged, s.context.store.file];
    },
  },
];

export async function prepare(context: PrepareContext): Promise<PrepareResult> {
  if (!context.agentImage && !context.connect && !context.clean) {
    throw new EnrollError(
      "usage",
      "nothing to prepare",
      "Give --agent-image IMAGE, or the server's URL and keys to pull its agent image, and/or --clean.",
    );
  }
  const state = initialState<PrepareState>({
    context,
    imagePulled: false,
    removedContainers: [],
    purged: [],
  });
  await runPhases(PREPARE_PHASES, state, {
    log: context.log,
    deadline: context.deadline,
    dryRun: false,
    lockDir: context.store.dir,
  });
  const { image, imagePulled, removedContainers, purged } = state;
  return {
    kind: "prepare",
    changed: imagePulled || context.clean,
    ...(image ? { image } : {}),
    imagePulled,
    removedContainers,
    purged,
  };
}

/**
 * The line known without the server: the target's word (`--cluster` is 2.x's), else the line of an enrollment
 * made here, else the named image's (rancher/rancher-agent is 2.x's agent); the server's answer, when asked, decides.
 * Null: a 2.x cluster whose image the server is asked for: its own line (RKE1 or RKE2/K3s) decides, once found.
 */
function localLine(
  { wanted, agentImage, connect }: PrepareContext,
  enrollment?: Enrollment,
): ServerLine | null | undefined {
  if (wanted?.word === "cluster" && !agentImage && connect) return null;
  if (wanted) return wanted.word === "cluster" ? "v3" : "cattle";
  return enrollment?.serverLine ?? (agentImage ? lineOfAgentImage(agentImage) : undefined);
}

/** A damaged record is no reason to keep an image build from cleaning up: `--clean` removes it anyway. */
async function readRecord(store: EnrollmentStore): Promise<Enrollment | undefined> {
  return store.read().catch((error: unknown) => {
    if (error instanceof CorruptEnrollment) return undefined;
    throw error;
  });
}

/** The image the user named, else the one the server wants: asked for, never created (no token is made). */
async function chooseImage(s: PrepareState): Promise<void> {
  const { agentImage, wanted, connect, agentFor, deadline } = s.context;
  if (agentImage || !connect) {
    s.image = agentImage;
    return;
  }
  const driver = (await connect()).driver;
  const target = await driver.findTarget(wanted);
  s.driver = driver.forTarget(target);
  s.agent = await agentOfLine(s.agent, s.driver.line, agentFor, deadline);
  const image = await s.driver.agentImage(target);
  if (image === null) {
    s.context.log.info(
      `${s.driver.words.target} ${target.name} (${target.id}): its machines run ${s.agent.name}, from no image: nothing to pull`,
    );
    return;
  }
  s.image = image;
  if (!s.image)
    throw new EnrollError(
      "not-found",
      `the server does not say which agent image ${s.driver.words.target} ${target.name} (${target.id}) uses`,
      "Give the image with --agent-image.",
    );
}
