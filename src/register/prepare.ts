import type { Deadline } from "../deadline.js";
import { waitForDaemon, type Docker } from "../docker/engine.js";
import type { PullProgress } from "../docker/image.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import type { EnrollmentStore } from "../state/enrollment.js";
import { withMachineLock } from "../state/lock.js";
import { ensureAgentImage, obtainRegistration } from "./agent-setup.js";
import { purgeAgentIdentity, removeAgentContainers } from "./local-agent.js";
import { phase } from "./phase.js";
import type { PrepareResult } from "./result.js";
import type { Connect } from "./server-connection.js";

export interface PrepareContext {
  docker: Docker;
  store: EnrollmentStore;
  log: Logger;
  /** The image named by the user; else the server's, when settings for it are given. */
  agentImage?: string;
  connect?: Connect;
  environment?: string;
  clean: boolean;
  deadline: Deadline;
  waitForDockerSeconds: number;
  onPullProgress: (progress: PullProgress) => void;
}

/** For image builders: the agent image pulled ahead of time, and with `clean` no machine identity left behind. */
export async function prepare(context: PrepareContext): Promise<PrepareResult> {
  const { docker, store, log, clean } = context;
  const { deadline } = context;
  if (!context.agentImage && !context.connect && !clean) {
    throw new EnrollError(
      "usage",
      "nothing to prepare",
      "Give --agent-image IMAGE, or the server's URL and keys to pull its agent image, and/or --clean.",
    );
  }
  await phase(log, "check docker engine", () =>
    waitForDaemon(docker, deadline, context.waitForDockerSeconds, log),
  );
  return withMachineLock(store.dir, deadline, log, async () => {
    const image = await phase(log, "choose agent image", () => chooseImage(context, deadline));
    const imagePulled = image
      ? await phase(log, "ensure agent image", () =>
          ensureAgentImage(docker, log, image, context.onPullProgress),
        )
      : false;
    if (!clean)
      return {
        kind: "prepare",
        changed: imagePulled,
        ...(image ? { image } : {}),
        imagePulled,
        removedContainers: [],
        purged: [],
      };
    const removedContainers = await phase(log, "remove agent containers", () =>
      removeAgentContainers(docker, log),
    );
    const purged = await phase(log, "purge identity", () =>
      purgeAgentIdentity(docker, image ? [image] : [], deadline, log),
    );
    await store.remove();
    return {
      kind: "prepare",
      changed: true,
      ...(image ? { image } : {}),
      imagePulled,
      removedContainers,
      purged: [...purged, store.file],
    };
  });
}

async function chooseImage(
  { agentImage, connect, environment, log }: PrepareContext,
  deadline: Deadline,
): Promise<string | undefined> {
  if (agentImage || !connect) return agentImage;
  const { api } = await connect();
  const target = await api.findTarget(environment);
  const { registration } = await obtainRegistration(api, log, target, deadline);
  return registration.image;
}
