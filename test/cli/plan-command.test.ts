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
    const noNow = await runCli(planCommand, [
      "--versions",
      files.versions,
      "--manifests",
      files.manifests,
      "--now",
      "yesterday",
    ]);
    assert.match(noNow.stderr, /--now "yesterday" is not an ISO 8601 date or time/);
    const missing = await runCli(planCommand, ["--versions", files.versions]);
    assert.match(missing.stderr, /give --versions, and --manifests or --cache-dir/);
  });

  it("reads --now as ISO 8601 only (Date.parse took `12` for 2001-12-01)", async () => {
    const planAt = (now: string) =>
      runCli(planCommand, ["--versions", files.versions, "--manifests", files.manifests, "--now", now]);
    for (const now of ["12", "2026-11-21 12:00", "Nov 21 2026", "2026-11-21T12:00:00"]) {
      const result = await planAt(now);
      assert.equal(result.status, 2, now);
      assert.match(result.stderr, /is not an ISO 8601 date or time; use e\.g\. 2026-11-21T12:00:00Z or 2026-11-21/);
    }
    for (const now of ["2026-11-21T12:00:00Z", "2026-11-21T12:00:00.5+01:00", "2026-11-21"]) {
      const result = await planAt(now);
      assert.equal(result.status, 0, `${now}: ${result.stderr}`);
    }
  });

  it("takes a config with _extends and says that offline it plans without the base", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "dockhand-plan-")), "dockhand.yml");
    writeFileSync(config, "_extends: octo-org/.github\nprune:\n  graceHours: 0\n");
    const result = await runCli(planCommand, [
      "--versions",
      files.versions,
      "--manifests",
      files.manifests,
      "--config",
      config,
      "--now",
      "2026-11-21T12:00:00Z",
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /extends octo-org\/\.github, which plan does not read \(it works offline\)/);
  });
});
