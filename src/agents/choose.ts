import type { NodeAgent, ServerLine } from "../flows/seam.js";
import { BootstrapAgent } from "./bootstrap-agent.js";
import type { DockerMachine } from "./docker-machine.js";
import { RancherAgent } from "./rancher-agent.js";
import { SystemAgent, type SystemMachine } from "./system-agent.js";

/** The node agent of a server line; with no line known (nothing recorded), the one that 0.1 launched. */
export function nodeAgentFor(
  line: ServerLine | undefined,
  machine: DockerMachine & SystemMachine,
): NodeAgent {
  switch (line ?? "cattle") {
    case "cattle":
      return new BootstrapAgent(machine);
    case "v3":
      return new RancherAgent(machine);
    case "system-agent":
      return new SystemAgent(machine);
  }
}
