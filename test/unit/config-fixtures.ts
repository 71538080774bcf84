// Profile files in temporary directories: tests never read or write the real home or /etc.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const directories: string[] = [];

export interface ProfileFixture {
  /** RANCHER_ENROLL_CONFIG_FILE, RANCHER_ENROLL_CREDENTIALS_FILE and HOME, all inside the directory. */
  env: Record<string, string>;
  config: string;
  credentials: string;
  directory: string;
}

/** Writes the files given (the credentials file with `credentialsMode`) and points the variables at them. */
export function profileFixture(
  files: { config?: string; credentials?: string } = {},
  credentialsMode = 0o600,
): ProfileFixture {
  const directory = mkdtempSync(join(tmpdir(), "rancher-enroll-profiles-"));
  directories.push(directory);
  const config = join(directory, "config");
  const credentials = join(directory, "credentials");
  if (files.config !== undefined) writeFileSync(config, files.config);
  if (files.credentials !== undefined)
    writeFileSync(credentials, files.credentials, { mode: credentialsMode });
  const env = {
    RANCHER_ENROLL_CONFIG_FILE: config,
    RANCHER_ENROLL_CREDENTIALS_FILE: credentials,
    HOME: directory,
  };
  return { env, config, credentials, directory };
}

export function removeProfileFixtures(): void {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
}
