// packaging/: the .deb's maintainer scripts, as the release writes them (the enrollment note in place), pass
// shellcheck for /bin/sh; the .rpm's removal scriptlet gets the same note.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { withEnrollmentNote } from "../../scripts/release/stage.js";
import { missingTools, repoFile, shellcheck } from "../support/integrations.js";

const skip = await missingTools("shellcheck");

describe("packaging", { skip }, () => {
  it("has maintainer scripts that shellcheck passes", async () => {
    for (const name of ["postinst", "prerm", "postrm"]) {
      const text = await readFile(repoFile(`packaging/deb/${name}`), "utf8");
      const script = name === "postrm" ? await withEnrollmentNote(text) : text;
      const check = await shellcheck(script, "sh");
      assert.equal(check.code, 0, `${name}: ${check.stdout}`);
    }
  });

  it("puts the enrollment note into the .rpm's scriptlets", async () => {
    const spec = await withEnrollmentNote(
      await readFile(repoFile("packaging/rpm/rancher-enroll.spec"), "utf8"),
    );
    assert.match(spec, /^enrollment_note\(\) \{$/m);
    assert.match(spec, /^if \[ "\$1" -eq 0 \]; then enrollment_note; fi$/m);
  });
});
