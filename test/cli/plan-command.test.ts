import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { planCommand } from "../../src/cli/plan-command.js";
import { runCli } from "../support/cli.js";

// Plans from good input are the prune cases (test/fixtures/prune-cases), run through this command by
// test/prune/prune-cases.test.ts; here only what it says about bad input.
const CASE = fileURLToPath(new URL("../fixtures/prune-cases/closed-pr-multi-arch-deleted/", import.meta.url));
const files = { versions: join(CASE, "versions.json"), manifests: join(CASE, "manifests.json") };

describe("dockhand plan", () => {
  it("names the file, the entry and the problem for bad input", async () => {
    const bad = join(mkdtempSync(join(tmpdir(), "dockhand-plan-")), "bad.json");
    writeFileSync(bad, '[{"id": 1, "name": "sha256:x"}]');
    const wrongShape = await runCli(planCommand, ["--versions", bad, "--manifests", files.manifests]);
    assert.equal(wrongShape.status, 2);
    assert.match(wrongShape.stderr, /bad\.json version \[0\] is not what GitHub returns: created_at: /);
    writeFileSync(bad, "[{]");
    const broken = await runCli(planCommand, ["--versions", bad, "--manifests", files.manifests]);
    assert.match(broken.stderr, /--versions: .*bad\.json: invalid JSON at character 0/);
    const noNow = await runCli(planCommand, ["--versions", files.versions, "--manifests", files.manifests, "--now", "yesterday"]);
    assert.match(noNow.stderr, /--now "yesterday" is not a date/);
    const missing = await runCli(planCommand, ["--versions", files.versions]);
    assert.match(missing.stderr, /give --versions and --manifests/);
  });
});
