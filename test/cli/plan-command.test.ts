import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { planCommand } from "../../src/cli/plan-command.js";
import type { PackageVersion } from "../../src/prune/package-version.js";
import { runCli } from "../support/cli.js";
import { digestOf, imageManifest, indexManifest, NOW } from "../support/package-state.js";
import { restVersions } from "../support/package-versions.js";

const DAY = 24 * 3600 * 1000;

function fixtureFiles() {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-plan-"));
  const amd = digestOf("amd");
  const arm = digestOf("arm");
  const pr = digestOf("pr-index");
  const rel = digestOf("rel-index");
  const versions: PackageVersion[] = [
    { id: 1, digest: pr, createdAt: NOW - 3 * DAY, updatedAt: NOW - 3 * DAY, tags: ["pr-7", "pr-7-abc1234"] },
    { id: 2, digest: amd, createdAt: NOW - 3 * DAY, updatedAt: NOW - 3 * DAY, tags: [] },
    { id: 3, digest: arm, createdAt: NOW - 3 * DAY, updatedAt: NOW - 3 * DAY, tags: [] },
    { id: 4, digest: rel, createdAt: NOW - DAY, updatedAt: NOW - DAY, tags: ["v1.0.0"] },
  ];
  const manifests = {
    [pr]: JSON.stringify(indexManifest([{ digest: amd, platform: "linux/amd64" }, { digest: arm, platform: "linux/arm64" }])),
    [rel]: indexManifest([{ digest: arm, platform: "linux/arm64" }]),
    [amd]: imageManifest("amd"),
    [arm]: imageManifest("arm"),
  };
  const rest = restVersions(versions);
  // As `gh api --paginate` prints two pages: arrays back to back.
  const files = {
    versions: join(dir, "V.json"),
    manifests: join(dir, "M.json"),
    pulls: join(dir, "P.json"),
    config: join(dir, "dockhand.yml"),
  };
  writeFileSync(files.versions, `${JSON.stringify(rest.slice(0, 2))}${JSON.stringify(rest.slice(2))}\n`);
  writeFileSync(files.manifests, JSON.stringify(manifests));
  writeFileSync(files.pulls, JSON.stringify([{ number: 7, state: "closed", closed_at: new Date(NOW - 2 * DAY).toISOString() }]));
  writeFileSync(files.config, "prune:\n  graceHours: 24\n");
  return { dir, files, ids: { pr: 1, amd: 2, arm: 3, rel: 4 } };
}

describe("dockhand plan", () => {
  it("prints the delete and keep lists covering every version", async () => {
    const { files, ids } = fixtureFiles();
    const { status, stdout, stderr } = await runCli(planCommand, [
      "--versions", files.versions, "--manifests", files.manifests, "--config", files.config, "--pulls", files.pulls, "--now", new Date(NOW).toISOString(),
    ]);
    assert.equal(status, 0, stderr);
    const plan = JSON.parse(stdout) as { delete: { id: number; digest: string; reason: string }[]; keep: { id: number; reason: string }[] };
    assert.deepEqual(plan.delete.map((e) => e.id).sort(), [ids.pr, ids.amd]);
    assert.deepEqual(plan.keep.map((e) => e.id).sort(), [ids.arm, ids.rel]);
    assert.ok(plan.delete.every((e) => /^sha256:[0-9a-f]{64}$/.test(e.digest) && e.reason.length > 0));
    assert.match(plan.keep.find((e) => e.id === ids.arm)?.reason ?? "", /linux\/arm64 image of kept `v1\.0\.0`/);
  });

  it("plans a PR close with --pull, and respects the grace period", async () => {
    const { files } = fixtureFiles();
    const early = await runCli(planCommand, ["--versions", files.versions, "--manifests", files.manifests, "--pulls", files.pulls, "--now", new Date(NOW - 2 * DAY + 3600_000).toISOString(), "--pull", "7"]);
    assert.deepEqual((JSON.parse(early.stdout) as { delete: unknown[] }).delete, []);
  });

  it("names the file, the entry and the problem for bad input", async () => {
    const { dir, files } = fixtureFiles();
    const bad = join(dir, "bad.json");
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
