import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, it } from "node:test";
import { pruneCommand } from "../../src/cli/prune-command.js";
import { restoreCommand } from "../../src/cli/restore-command.js";
import type { CliIo } from "../../src/cli/cli-io.js";
import { FakeGitHub } from "../support/fake-github.js";
import { FakeRegistry } from "../support/fake-registry.js";
import { interceptGitHub } from "../support/nock-github.js";
import { runCli } from "../support/cli.js";
import { REPO, SHA1, seedRepo } from "../support/scenario.js";
import { bareImage } from "../support/bare-manifests.js";
import { addBarePackage } from "../support/tagged-registry.js";

const ENV = { DOCKHAND_PACKAGES_TOKEN: "ghp_classic_test_token", GITHUB_API_URL: "https://api.github.com" };

describe("dockhand prune and restore", () => {
  let fake: FakeGitHub;
  let registry: FakeRegistry;
  let stops: (() => void)[];
  const with_ =
    (
      command: (argv: string[], io: CliIo, env: Record<string, string | undefined>) => Promise<number>,
      env: Record<string, string | undefined> = ENV,
    ) =>
    (argv: string[], io: CliIo) =>
      command(argv, io, env);

  /** The ids of octo-org/app's versions GitHub still lists. */
  const appVersionIds = () =>
    fake
      .packageVersions("octo-org", "app")
      .map((v) => v.id)
      .sort();

  beforeEach(() => {
    fake = new FakeGitHub();
    registry = new FakeRegistry();
    stops = [interceptGitHub(fake), registry.intercept()];
    seedRepo(fake);
    addBarePackage(fake, registry, Date.parse("2026-11-01T00:00:00Z"), [
      [1, "a", ["pr-3"]],
      [2, "b", ["pr-4"]],
      [3, "c", ["latest"]],
    ]);
    fake.addPull("octo-org/app", {
      number: 3,
      headRef: "x",
      headSha: SHA1,
      headRepo: REPO,
      state: "closed",
      closedAt: "2026-11-02T00:00:00Z",
    });
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
    assert.deepEqual(appVersionIds(), [2, 3]);

    const restored = await runCli(with_(restoreCommand), ["--owner", "octo-org", "--package", "app", "--ids", "1,99"]);
    assert.equal(restored.status, 1);
    assert.match(
      restored.stdout,
      /restored 1\ncould not restore 99: HTTP 404 \(not deleted, deleted over 30 days ago, or its tag was reused\)/,
    );
    assert.deepEqual(appVersionIds(), [1, 2, 3]);
  });

  it("URL-encodes nested package names and detects a user owner", async () => {
    const at = Date.parse("2026-11-01T00:00:00Z");
    const digest = registry.put(bareImage("e".repeat(64)));
    const kept = registry.put(bareImage("f".repeat(64)));
    fake.addPackage({
      owner: "octo-user",
      ownerKind: "User",
      name: "tools/api",
      versions: [
        { id: 7, digest, createdAt: at, updatedAt: at, tags: ["pr-3"] },
        { id: 8, digest: kept, createdAt: at, updatedAt: at, tags: ["latest"] },
      ],
    });
    const result = await runCli(with_(pruneCommand), [
      "--owner",
      "octo-user",
      "--package",
      "tools/api",
      "--repo",
      "octo-org/app",
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(
      fake.packageVersions("octo-user", "tools/api").map((v) => v.id),
      [8],
    );
    assert.ok(fake.requests.some((r) => r.path.startsWith("/users/octo-user/packages/container/tools%2Fapi/versions")));
  });

  it("says what credential to set, and what arguments are missing", async () => {
    const noToken = await runCli(with_(pruneCommand, {}), ["--owner", "octo-org", "--package", "app"]);
    assert.equal(noToken.status, 2);
    assert.match(noToken.stderr, /set DOCKHAND_PACKAGES_TOKEN to a classic personal access token/);
    const noIds = await runCli(with_(restoreCommand), ["--owner", "octo-org", "--package", "app", "--ids", "x"]);
    assert.match(noIds.stderr, /give --owner, --package and --ids as numbers/);
  });
  it("says what it kept and why, counted by reason, and which PRs and manifests it could not read", async () => {
    const at = Date.parse("2026-11-01T00:00:00Z");
    const digest = registry.put(bareImage("d".repeat(64)));
    fake.packageVersions("octo-org", "app").push(
      { id: 5, digest, createdAt: at, updatedAt: at, tags: ["pr-99"] }, // no such PR: 404
      { id: 6, digest: `sha256:${"9".repeat(64)}`, createdAt: at, updatedAt: at, tags: ["pr-4-abc"] }, // not in the registry
      { id: 7, digest: `sha256:${"8".repeat(64)}`, createdAt: at, updatedAt: at, tags: ["pr-5"] }, // a PR the token may not read
    );
    fake.unreadablePulls.add("octo-org/app#5");
    const result = await runCli(with_(pruneCommand), ["--owner", "octo-org", "--package", "app", "--dry-run"]);
    assert.equal(result.status, 0, result.stderr);
    // A kept version's manifest is unreadable, so nothing is deleted at all (what it references is unknown).
    assert.match(result.stdout, /would delete 0 of 6 versions, kept 6/);
    assert.match(result.stdout, /Kept 6:\n/);
    for (const line of [
      "2 belong to an open PR",
      "2 belong to a PR whose state is unknown",
      "1 were skipped: a manifest could not be read",
      "1 carry a kept tag (prune.keep)",
    ]) {
      assert.ok(result.stdout.includes(`\n      ${line}\n`), line);
    }
    assert.match(
      result.stdout,
      /Could not read 2 PRs of octo-org\/app: #99 \(HTTP 404\), #5 \(HTTP 403\)\. Their tags were kept\. Check --repo/,
    );
    assert.match(
      result.stdout,
      /Could not read 2 manifests from ghcr\.io \(.*\)\. What they reference is unknown, so nothing they might reach was deleted\./,
    );
  });

  it("follows the config's _extends with the token, as the app does", async () => {
    fake.addRepo({ owner: "octo-org", name: ".github", id: 901 });
    fake.setFile("octo-org/.github", "dockhand-base.yml", "prune:\n  keep: [latest, 'pr-3']\n");
    const dir = mkdtempSync(join(tmpdir(), "dockhand-prune-"));
    const config = join(dir, "dockhand.yml");
    writeFileSync(config, "_extends: .github:dockhand-base.yml\nprune:\n  graceHours: 0\n");
    const result = await runCli(with_(pruneCommand), [
      "--owner",
      "octo-org",
      "--package",
      "app",
      "--config",
      config,
      "--dry-run",
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /would delete 0 of 3 versions, kept 3/);
    assert.match(result.stdout, / {4}2 carry a kept tag/);
  });

  it("lists versions 100 a page, active only, for a user's package as for an organization's", async () => {
    const at = Date.parse("2026-11-01T00:00:00Z");
    const digest = registry.put(bareImage("7".repeat(64)));
    const versions = Array.from({ length: 150 }, (_, i) => ({
      id: 1000 + i,
      digest,
      createdAt: at,
      updatedAt: at,
      tags: [`v${i}`],
    }));
    fake.addPackage({ owner: "octo-user", ownerKind: "User", name: "tool", versions });
    fake.addPackage({ owner: "octo-org", name: "many", versions });
    for (const [owner, name] of [
      ["octo-user", "tool"],
      ["octo-org", "many"],
    ] as const) {
      const result = await runCli(with_(pruneCommand), [
        "--owner",
        owner,
        "--package",
        name,
        "--repo",
        "octo-org/app",
        "--dry-run",
      ]);
      assert.equal(result.status, 0, result.stderr);
      const lists = fake.requests.filter(
        (r) => r.method === "GET" && r.path.includes(`/${owner}/packages/container/${name}/versions`),
      );
      assert.equal(lists.length, 2, `${owner}: ${lists.map((r) => r.path).join(" ")}`);
      assert.ok(
        lists.every((r) => /[?&]per_page=100(&|$)/.test(r.path) && /[?&]state=active(&|$)/.test(r.path)),
        lists.map((r) => r.path).join(" "),
      );
    }
  });

  // The app's request policy (github/octokit-options.ts), not Probot's stock Octokit, whose retry plugin
  // sent a failing request four times, 14 s apart in all, and whose throttling waited out a rate limit.
  it(
    "sends as the app does: a failing DELETE once, a failing read twice, a rate limit said at once",
    { timeout: 20_000 },
    async () => {
      const deletes = () => fake.requests.filter((r) => r.method === "DELETE").length;
      fake.fail("DELETE", /\/versions\/1$/, { status: 502, body: { message: "Server Error" } });
      const failed = await runCli(with_(pruneCommand), ["--owner", "octo-org", "--package", "app"]);
      assert.equal(failed.status, 1);
      assert.match(failed.stdout, /\n {2}failed 1: HTTP 502/);
      assert.equal(deletes(), 1);

      fake.fail("DELETE", /\/versions\/1$/, {
        status: 403,
        headers: { "retry-after": "60" },
        body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
      });
      const started = Date.now();
      const limited = await runCli(with_(pruneCommand), ["--owner", "octo-org", "--package", "app"]);
      assert.equal(limited.status, 1);
      assert.match(limited.stdout, /\n {2}failed 1: rate-limited: You have exceeded a secondary rate limit/);
      assert.equal(deletes(), 2);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);

      const lists = () => fake.requests.filter((r) => r.method === "GET" && r.path.includes("/versions")).length;
      const before = lists();
      fake.fail("GET", /\/packages\/container\/app\/versions/, { status: 502, body: { message: "Server Error" } }, 10);
      await assert.rejects(runCli(with_(pruneCommand), ["--owner", "octo-org", "--package", "app"]), { status: 502 });
      assert.equal(lists() - before, 2);
      assert.deepEqual(appVersionIds(), [1, 2, 3]);
    },
  );

  it("honours DOCKHAND_PRUNE_WRITE_INTERVAL_MS, and refuses an invalid one in one line", async () => {
    const at = Date.parse("2026-11-01T00:00:00Z");
    const image = (name: string) => registry.put(bareImage(name.padEnd(64, "1")));
    fake.packageVersions("octo-org", "app").push(
      ...[10, 11, 12].map((id) => ({
        id,
        digest: image(String(id)),
        createdAt: at,
        updatedAt: at,
        tags: [`pr-3-${id}`],
      })),
    );
    const started = Date.now();
    const fast = await runCli(with_(pruneCommand, { ...ENV, DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "0" }), [
      "--owner",
      "octo-org",
      "--package",
      "app",
    ]);
    assert.equal(fast.status, 0, fast.stderr);
    assert.match(fast.stdout, /deleted 4 of 6 versions/);
    // One second apart (the default) would take at least 3 s for 4 deletions.
    assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);

    const invalid = await runCli(with_(pruneCommand, { ...ENV, DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "soon" }), [
      "--owner",
      "octo-org",
      "--package",
      "app",
    ]);
    assert.equal(invalid.status, 2);
    assert.match(
      invalid.stderr,
      /^dockhand prune: DOCKHAND_PRUNE_WRITE_INTERVAL_MS: must be a whole number from 0 to 60000 \(milliseconds\), e\.g\. DOCKHAND_PRUNE_WRITE_INTERVAL_MS=1000/,
    );
    assert.equal(invalid.stderr.trim().split("\n").length, 1);
  });
});

describe("dockhand prune with GitHub out of reach", () => {
  it("names the URL and the setting to check, at once rather than after Octokit's retries", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const started = Date.now();
    const result = await runCli(
      (argv, io) =>
        pruneCommand(argv, io, { DOCKHAND_PACKAGES_TOKEN: "ghp_x", GITHUB_API_URL: `http://127.0.0.1:${port}` }),
      ["--owner", "octo-org", "--package", "app"],
    );
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      new RegExp(
        `^dockhand prune: cannot reach GitHub's API at http://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\); check GITHUB_API_URL \\(or GHE_HOST and GHE_PROTOCOL\\)`,
      ),
    );
    assert.equal(result.stderr.trim().split("\n").length, 1);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });
});
