// The artifacts of `npm run release` (scripts/release/), for the tests of what the packages do on a machine.
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { downloadOf, repoFile } from "./integrations.js";

export const RELEASE_DIR = process.env.RANCHER_ENROLL_RELEASE_DIR ?? repoFile("release");
export const { version: VERSION } = JSON.parse(await readFile(repoFile("package.json"), "utf8")) as {
  version: string;
};

export const releaseFile = {
  executable: join(RELEASE_DIR, "rancher-enroll"),
  deb: join(RELEASE_DIR, `rancher-enroll_${VERSION}_amd64.deb`),
  rpm: join(RELEASE_DIR, `rancher-enroll-${VERSION}-1.x86_64.rpm`),
};

/** The reason to skip when the release was not built, or false; under CI=true (scripts/test.sh builds it) false. */
export async function missingRelease(): Promise<string | false> {
  const missing = [];
  for (const file of Object.values(releaseFile))
    if (
      !(await access(file).then(
        () => true,
        () => false,
      ))
    )
      missing.push(file);
  if (missing.length === 0 || process.env.CI === "true") return false;
  return `not built: ${missing.join(", ")} (npm run release)`;
}

/** The release's .deb as a file to download. */
export const debDownload = () => downloadOf(releaseFile.deb);
