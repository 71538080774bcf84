import Docker from "dockerode";
import type { Readable } from "node:stream";

/** Inspects every container the engine starts while watching: short-lived ones are gone by the time a test looks. */
export async function watchContainerStarts(): Promise<{
  started: Docker.ContainerInspectInfo[];
  stop(): void;
}> {
  const docker = new Docker();
  const started: Docker.ContainerInspectInfo[] = [];
  const events = (await docker.getEvents({ filters: { type: ["container"], event: ["start"] } })) as Readable;
  events.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) {
      const { id } = JSON.parse(line) as { id: string };
      docker
        .getContainer(id)
        .inspect()
        .then((info) => started.push(info))
        .catch(() => undefined);
    }
  });
  return { started, stop: () => events.destroy() };
}
