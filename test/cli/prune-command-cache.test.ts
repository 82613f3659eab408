import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { planCommand } from "../../src/cli/plan-command.js";
import { pruneCommand } from "../../src/cli/prune-command.js";
import { restVersions } from "../support/package-versions.js";
import { runCli } from "../support/cli.js";
import { FakeGitHub } from "../support/fake-github.js";
import { packageVersionsIn, startLocalRegistry, type LocalRegistry } from "../support/local-registry.js";
import { interceptGitHub } from "../support/nock-github.js";
import { REPO, SHA1, seedRepo } from "../support/scenario.js";

const ENV = { DOCKHAND_PACKAGES_TOKEN: "ghp_classic_test_token", GITHUB_API_URL: "https://api.github.com" };

describe("dockhand prune --cache-dir against a real registry", () => {
  let registry: LocalRegistry;
  let fake: FakeGitHub;
  let stop: () => void;
  let dir: string;
  before(async () => {
    registry = await startLocalRegistry();
    const repo = `${registry.host}/octo-org/app`;
    await registry.push(`${repo}:pr-7`, ["linux/amd64", "linux/arm64"], { content: "seven" });
    await registry.push(`${repo}:pr-8`, ["linux/amd64"], { content: "eight" });
    await registry.push(`${repo}:v1.0.0`, ["linux/amd64", "linux/arm64"], { content: "release" });
    fake = new FakeGitHub();
    stop = interceptGitHub(fake);
    seedRepo(fake);
    fake.addPackage({
      owner: "octo-org",
      name: "app",
      versions: await packageVersionsIn(registry.host, "octo-org/app"),
    });
    fake.addPull("octo-org/app", {
      number: 7,
      headRef: "x",
      headSha: SHA1,
      headRepo: REPO,
      state: "closed",
      closedAt: "2026-11-19T12:00:00Z",
    });
    fake.addPull("octo-org/app", { number: 8, headRef: "y", headSha: SHA1, headRepo: REPO });
    dir = mkdtempSync(join(tmpdir(), "dockhand-cache-"));
  });
  after(async () => {
    stop();
    assert.deepEqual(fake.violations, []);
    rmSync(dir, { recursive: true, force: true });
    await registry.stop();
  });

  const prune = (...extra: string[]) =>
    runCli(
      (argv, io) => pruneCommand(argv, io, ENV),
      [
        "--owner",
        "octo-org",
        "--package",
        "app",
        "--registry",
        registry.host,
        "--cache-dir",
        dir,
        "--dry-run",
        ...extra,
      ],
    );
  const readsOf = (stdout: string) => Number(/\((\d+) manifest reads\)/.exec(stdout)?.[1]);

  it("reads no manifest on a second run over an unchanged package", async () => {
    const first = await prune();
    assert.equal(first.status, 0, first.stderr);
    assert.equal(readsOf(first.stdout), 3, "the three tagged indexes; their platform images are declared leaves");
    assert.match(first.stdout, /would delete 3 of 8 versions/);
    const second = await prune();
    assert.equal(second.status, 0, second.stderr);
    assert.equal(readsOf(second.stdout), 0);
    assert.equal(
      second.stdout.replace(/\(\d+ manifest reads\)/, ""),
      first.stdout.replace(/\(\d+ manifest reads\)/, ""),
    );
  });

  it("reads a corrupted entry again, and repairs it", async () => {
    const files = readdirSync(join(dir, "sha256"));
    assert.equal(files.length, 3);
    const victim = join(dir, "sha256", files[0]!);
    writeFileSync(victim, '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}');
    const run = await prune();
    assert.equal(run.status, 0, run.stderr);
    assert.equal(readsOf(run.stdout), 1);
    assert.match(run.stdout, /would delete 3 of 8 versions/, "the same plan: the forged entry was not believed");
    assert.equal(createHash("sha256").update(readFileSync(victim)).digest("hex"), files[0]);
  });

  it("plans offline from the same directory as the run did", async () => {
    const online = await prune("--json");
    assert.equal(online.status, 0, online.stderr);
    const versionsFile = join(dir, "..", `versions-${process.pid}.json`);
    writeFileSync(versionsFile, JSON.stringify(restVersions(fake.packageVersions("octo-org", "app"))));
    const pullsFile = join(dir, "..", `pulls-${process.pid}.json`);
    writeFileSync(
      pullsFile,
      JSON.stringify([
        { number: 7, state: "closed", closed_at: "2026-11-19T12:00:00Z" },
        { number: 8, state: "open", closed_at: null },
      ]),
    );
    try {
      const offline = await runCli(planCommand, ["--versions", versionsFile, "--cache-dir", dir, "--pulls", pullsFile]);
      assert.equal(offline.status, 0, offline.stderr);
      const plan = JSON.parse(offline.stdout) as { delete: { id: number }[] };
      const onlinePlan = (JSON.parse(online.stdout) as { plan: { delete: { id: number }[] } }).plan;
      assert.deepEqual(
        plan.delete.map((d) => d.id),
        onlinePlan.delete.map((d) => d.id),
      );
    } finally {
      rmSync(versionsFile, { force: true });
      rmSync(pullsFile, { force: true });
    }
  });
});
