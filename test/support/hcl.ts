import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parse } from "@cdktn/hcl2json";

/** An HCL body as hcl2json gives it: blocks as lists of bodies, expressions as "${...}" text. */
export type HclBody = Record<string, unknown>;

/** Parses a Terraform or Packer file with HashiCorp's own HCL parser (compiled to WebAssembly). */
export async function parseHclFile(path: string): Promise<HclBody> {
  return (await parse(basename(path), await readFile(path, "utf8"))) as HclBody;
}

/** The bodies of the blocks `type "label"...` under `body`, following one label per level. */
export function blocks(body: HclBody, type: string, ...labels: string[]): HclBody[] {
  let found: unknown = body[type];
  for (const label of labels) found = (found as Record<string, unknown> | undefined)?.[label];
  return (found as HclBody[] | undefined) ?? [];
}

/**
 * Resolves the references of a template string as Terraform and Packer do, from `scope` ("var.region": "..."):
 * only plain references are expected in the shipped files, so any other expression is an error.
 */
export function interpolate(text: string, scope: Record<string, string>): string {
  return text.replace(/\$\{([^}]*)\}/g, (_, expression: string) => {
    const value = scope[expression.trim()];
    if (value === undefined) throw new Error(`unresolved \${${expression}} in ${JSON.stringify(text)}`);
    return value;
  });
}
