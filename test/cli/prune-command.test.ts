import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { pruneCommand } from "../../src/cli/prune-command.js";
import { restoreCommand } from "../../src/cli/restore-command.js";
import type { CliIo } from "../../src/cli/cli-io.js";
import { FakeGitHub } from "../support/fake-github.js";
import { FakeRegistry } from "../support/fake-registry.js";
import { interceptGitHub } from "../support/nock-github.js";
import { runCli } from "../support/cli.js";
import { REPO, SHA1, seedRepo } from "../support/scenario.js";

const ENV = { DOCKHAND_PACKAGES_TOKEN: "ghp_classic_test_token", GITHUB_API_URL: "https://api.github.com" };

describe("dockhand prune and restore", () => {
  let fake: FakeGitHub;
  let registry: FakeRegistry;
  let stops: (() => void)[];
  const with_ = (command: (argv: string[], io: CliIo, env: Record<string, string | undefined>) => Promise<number>, env: Record<string, string | undefined> = ENV) =>
    (argv: string[], io: CliIo) => command(argv, io, env);

  beforeEach(() => {
    fake = new FakeGitHub();
    registry = new FakeRegistry();
    stops = [interceptGitHub(fake), registry.intercept()];
    seedRepo(fake);
    const image = (name: string) => registry.put({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { digest: `sha256:${name.padEnd(64, "0")}` }, layers: [] });
    const at = Date.parse("2026-11-01T00:00:00Z");
    fake.addPackage({
      owner: "octo-org",
      name: "app",
      versions: [
        { id: 1, digest: image("a"), createdAt: at, updatedAt: at, tags: ["pr-3"] },
        { id: 2, digest: image("b"), createdAt: at, updatedAt: at, tags: ["pr-4"] },
        { id: 3, digest: image("c"), createdAt: at, updatedAt: at, tags: ["latest"] },
      ],
    });
    fake.addPull("octo-org/app", { number: 3, headRef: "x", headSha: SHA1, headRepo: REPO, state: "closed", closedAt: "2026-11-02T00:00:00Z" });
    fake.addPull("octo-org/app", { number: 4, headRef: "y", headSha: SHA1, headRepo: REPO });
  });
  afterEach(() => {
    for (const stop of stops.reverse()) stop();
    assert.deepEqual(fake.violations, []);
  });

  it("prunes closed PRs' versions with a token, and restores them by id", async () => {
    const dry = await runCli(with_(pruneCommand), ["--owner", "octo-org", "--package", "app", "--dry-run"]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /octo-org\/app: would delete 1 of 3 versions, kept 2/);
    assert.equal(fake.packageVersions("octo-org", "app").length, 3);

    const real = await runCli(with_(pruneCommand), ["--owner", "octo-org", "--package", "app"]);
    assert.equal(real.status, 0, real.stderr);
    assert.match(real.stdout, /deleted 1 sha256:.*: PR #3 is closed/);
    assert.match(real.stdout, /Restore within 30 days: dockhand restore --owner octo-org --package app --ids 1/);
    assert.deepEqual(fake.packageVersions("octo-org", "app").map((v) => v.id).sort(), [2, 3]);

    const restored = await runCli(with_(restoreCommand), ["--owner", "octo-org", "--package", "app", "--ids", "1,99"]);
    assert.equal(restored.status, 1);
    assert.match(restored.stdout, /restored 1\ncould not restore 99: HTTP 404 \(not deleted, deleted over 30 days ago, or its tag was reused\)/);
    assert.deepEqual(fake.packageVersions("octo-org", "app").map((v) => v.id).sort(), [1, 2, 3]);
  });

  it("URL-encodes nested package names and detects a user owner", async () => {
    const at = Date.parse("2026-11-01T00:00:00Z");
    const digest = registry.put({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { digest: `sha256:${"e".repeat(64)}` }, layers: [] });
    const kept = registry.put({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { digest: `sha256:${"f".repeat(64)}` }, layers: [] });
    fake.addPackage({ owner: "octo-user", ownerKind: "User", name: "tools/api", versions: [{ id: 7, digest, createdAt: at, updatedAt: at, tags: ["pr-3"] }, { id: 8, digest: kept, createdAt: at, updatedAt: at, tags: ["latest"] }] });
    const result = await runCli(with_(pruneCommand), ["--owner", "octo-user", "--package", "tools/api", "--repo", "octo-org/app"]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(fake.packageVersions("octo-user", "tools/api").map((v) => v.id), [8]);
    assert.ok(fake.requests.some((r) => r.path.startsWith("/users/octo-user/packages/container/tools%2Fapi/versions")));
  });

  it("says what credential to set, and what arguments are missing", async () => {
    const noToken = await runCli(with_(pruneCommand, {}), ["--owner", "octo-org", "--package", "app"]);
    assert.equal(noToken.status, 2);
    assert.match(noToken.stderr, /set DOCKHAND_PACKAGES_TOKEN to a classic personal access token/);
    const noIds = await runCli(with_(restoreCommand), ["--owner", "octo-org", "--package", "app", "--ids", "x"]);
    assert.match(noIds.stderr, /give --owner, --package and --ids as numbers/);
  });
});
