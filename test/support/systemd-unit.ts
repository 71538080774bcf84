import { repoFile } from "./integrations.js";

export const UNIT_FILE = repoFile("systemd/rancher-enroll.service");
/** Where docs/integrations.md has users install it. */
export const UNIT_PATH = "/etc/systemd/system/rancher-enroll.service";

/** A unit's directives: name → values, a directive given twice (or space-separated) listing several. */
export function directives(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, name, value] = match as unknown as [string, string, string];
    found.set(name, [...(found.get(name) ?? []), ...value.split(/\s+/).filter(Boolean)]);
  }
  return found;
}
