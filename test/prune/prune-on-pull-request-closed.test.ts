import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { OCTOKIT_SENDS } from "../../src/github/octokit-options.js";
import type { PackageVersion } from "../../src/prune/package-version.js";
import { MAX_TRIES } from "../../src/queue/job-queue.js";
import { REPORT_MARKER } from "../../src/comment/render-comment.js";
import { pullKey, stateOf } from "../support/comment-state.js";
import { FakeGitHub } from "../support/fake-github.js";
import { FakeRegistry } from "../support/fake-registry.js";
import { interceptGitHub } from "../support/nock-github.js";
import { addDockhandComment, addPr7, REPO, SHA1, seedRepo } from "../support/scenario.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { pullRequestClosed } from "../support/webhooks.js";
import { bareImage, platformIndex } from "../support/bare-manifests.js";

const FULL = "octo-org/app";
const CLOSED_AT = "2026-11-20T11:00:00Z";
const HOUR = 3600 * 1000;

/** A closed PR's multi-arch image whose arm64 manifest a release index shares, plus an open PR's image. */
function seedPackage(fake: FakeGitHub, registry: FakeRegistry) {
  const manifest = (name: string) => registry.put(bareImage(name.padEnd(64, "0")));
  const index = (children: [string, string][]) => registry.put(platformIndex(children));
  const amd = manifest("a1");
  const arm = manifest("a2");
  const pr7 = index([
    [amd, "amd64"],
    [arm, "arm64"],
  ]);
  const release = index([[arm, "arm64"]]);
  const open = manifest("b1");
  const at = Date.parse("2026-11-19T10:00:00Z");
  const versions: PackageVersion[] = [
    { id: 11, digest: pr7, createdAt: at, updatedAt: at, tags: ["pr-7", "pr-7-1111111"] },
    { id: 12, digest: amd, createdAt: at, updatedAt: at, tags: [] },
    { id: 13, digest: arm, createdAt: at, updatedAt: at, tags: [] },
    { id: 14, digest: release, createdAt: at, updatedAt: at, tags: ["v1.0.0"] },
    { id: 15, digest: open, createdAt: at, updatedAt: at, tags: ["pr-8"] },
  ];
  fake.addPackage({ owner: "octo-org", name: "app", versions });
  return { pr7, amd, arm, release, open };
}

describe("prune on pull_request.closed", () => {
  let fake: FakeGitHub;
  let registry: FakeRegistry;
  let stops: (() => void)[];
  let app: TestApp;

  async function start(
    env: Record<string, string> = { DOCKHAND_PACKAGES_TOKEN: "ghp_classic_test_token" },
    config?: string,
  ) {
    app = await createTestApp(fake, { DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "0", ...env });
    seedRepo(fake, config);
    addPr7(fake, CLOSED_AT);
    fake.addPull(FULL, { number: 8, headRef: "feature/other", headSha: SHA1, headRepo: REPO });
    // An existing report comment, as CI left it.
    addDockhandComment(fake);
    return seedPackage(fake, registry);
  }
  /** GitHub's delivery that PR #7 closed. */
  const close = (closedAt = CLOSED_AT, id?: string) =>
    app.receive("pull_request", pullRequestClosed({ repo: REPO, number: 7, headSha: SHA1, closedAt }), id);
  const comment = () => fake.commentsOn(FULL, 7).find((c) => c.body.startsWith(REPORT_MARKER))?.body ?? "";
  const remaining = () =>
    fake
      .packageVersions("octo-org", "app")
      .map((v) => v.id)
      .sort();

  beforeEach(() => {
    fake = new FakeGitHub();
    registry = new FakeRegistry();
    stops = [interceptGitHub(fake), registry.intercept()];
  });
  afterEach(async () => {
    await app.close();
    for (const stop of stops.reverse()) stop();
    assert.deepEqual(fake.violations, [], "every request and fake answer matches GitHub's OpenAPI description");
  });

  it("schedules the prune after the grace period, then deletes the PR's image but not the child a release shares", async () => {
    await start();
    await close();
    const [job] = app.queue.scheduled();
    assert.equal(job?.runAt, Date.parse(CLOSED_AT) + 24 * HOUR);
    assert.match(comment(), /will be deleted at 2026-11-21 11:00 UTC\. Reopen the PR before then to keep them/);

    await app.advance(24 * HOUR);
    assert.deepEqual(
      remaining(),
      [13, 14, 15],
      "pr-7's index and amd64 image are gone; the shared arm64, the release and PR 8 stay",
    );
    assert.deepEqual(
      fake.packageDeletes.map((d) => d.id),
      [12, 11],
      "children before their index",
    );
    assert.ok(fake.appTokenProbes.length > 0, "the installation token was tried first");
    assert.match(comment(), /deleted 2 versions \(tags `pr-7`, `pr-7-1111111`/);
    assert.match(comment(), /Restorable until 2026-12-21 \d\d:\d\d UTC/);
    assert.match(comment(), /dockhand restore --owner octo-org --package app --ids 12,11/);
    assert.equal(stateOf(comment(), pullKey(FULL, 7))?.prune?.packages[0]?.kept, 3);
    assert.equal(
      registry.reads,
      3,
      "the three tagged manifests; the platform images their indexes declare are not downloaded",
    );
  });

  it("remembers that the installation token was refused", async () => {
    await start();
    await close();
    await app.advance(24 * HOUR);
    const probes = fake.appTokenProbes.length;
    addPr7(fake, "2026-11-21T12:00:00Z");
    await close("2026-11-21T12:00:00Z");
    await app.advance(48 * HOUR);
    assert.equal(fake.appTokenProbes.length, probes, "no second probe for the same owner");
  });

  it("cancels when the PR is reopened within the grace period", async () => {
    await start();
    await close();
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO, state: "open" });
    await app.advance(24 * HOUR);
    assert.deepEqual(remaining(), [11, 12, 13, 14, 15]);
    assert.match(comment(), /Cancelled: the PR was reopened/);
  });

  it("says once, clearly, what to configure when no credential may manage packages", async () => {
    await start({});
    await close();
    await app.advance(24 * HOUR);
    assert.deepEqual(remaining(), [11, 12, 13, 14, 15]);
    assert.match(
      comment(),
      /not pruned\. GitHub's Packages API does not accept this app's installation token for `octo-org`, and no token is configured\. Set `DOCKHAND_PACKAGES_TOKEN`/,
    );
    addPr7(fake, "2026-11-21T12:00:00Z");
    await close("2026-11-21T12:00:00Z");
    await app.advance(48 * HOUR);
    assert.equal(app.logs.filter((l) => String(l.msg).startsWith("GitHub's Packages API does not accept")).length, 1);
  });

  it("uses the installation token where GitHub accepts it", async () => {
    fake.packagesAcceptAppTokens = true;
    await start({});
    await close();
    await app.advance(24 * HOUR);
    assert.deepEqual(remaining(), [13, 14, 15]);
  });

  it("deletes nothing in dry-run, and says what it would delete", async () => {
    await start(undefined, "prune:\n  mode: dry-run\n");
    await close();
    await app.advance(24 * HOUR);
    assert.deepEqual(remaining(), [11, 12, 13, 14, 15]);
    assert.match(comment(), /dry run: `prune\.mode` is `dry-run`, nothing was deleted/);
    assert.match(comment(), /would delete 2 versions/);
  });

  it("treats a 404 on delete as already gone", async () => {
    await start();
    await close();
    fake.fail("DELETE", /versions\/12$/, { status: 404, body: { message: "Not Found" } });
    await app.advance(24 * HOUR);
    assert.equal(fake.countRequests("DELETE", /versions\/12$/), 1, "not retried");
    assert.match(comment(), /deleted 2 versions/);
  });

  it("records what it deleted when the comment write failed at first, without deleting again", async () => {
    await start();
    await close();
    fake.fail("PATCH", /\/issues\/comments\/\d+$/, { status: 502, body: { message: "Server Error" } });
    await app.advance(24 * HOUR);
    assert.deepEqual(remaining(), [13, 14, 15]);
    assert.match(comment(), /will be deleted at/, "the first write failed");
    await app.advance(HOUR);
    assert.equal(fake.packageDeletes.length, 2, "the retry only wrote the record");
    assert.match(comment(), /deleted 2 versions \(tags `pr-7`, `pr-7-1111111`/);
  });

  it("tries again later when GitHub fails for a moment, and reports the failure only on the last try", async () => {
    await start();
    await close();
    // Octokit sends a failed read once more; the job's next try comes after that.
    fake.fail(
      "GET",
      /\/packages\/container\/app\/versions$/,
      { status: 502, body: { message: "Server Error" } },
      OCTOKIT_SENDS.read,
    );
    await app.advance(24 * HOUR);
    assert.deepEqual(remaining(), [11, 12, 13, 14, 15]);
    assert.doesNotMatch(comment(), /GitHub or the registry failed/, "not reported while a try is left");
    await app.advance(HOUR);
    assert.deepEqual(remaining(), [13, 14, 15]);
    assert.match(comment(), /deleted 2 versions/);

    addPr7(fake, "2026-11-22T12:00:00Z");
    fake.fail(
      "GET",
      /\/packages\/container\/app\/versions$/,
      { status: 502, body: { message: "Server Error" } },
      OCTOKIT_SENDS.read * MAX_TRIES,
    );
    await close("2026-11-22T12:00:00Z");
    for (let i = 0; i < 5; i += 1) await app.advance(24 * HOUR);
    assert.match(comment(), /GitHub or the registry failed \(`Server Error`\)\. The next sweep tries again/);
  });

  it("runs the prune again when a secondary rate limit ends, holding no slot meanwhile, and reports a final 400", async () => {
    await start();
    await close();
    fake.fail("DELETE", /versions\/12$/, {
      status: 403,
      headers: { "retry-after": "30" },
      body: { message: "You have exceeded a secondary rate limit." },
    });
    fake.fail("DELETE", /versions\/11$/, {
      status: 400,
      body: { message: "Publicly visible package versions with more than 5000 downloads cannot be deleted." },
    });
    await app.advance(24 * HOUR);
    assert.equal(fake.countRequests("DELETE", /versions\/12$/), 1, "sent once: Octokit does not wait the limit out");
    assert.deepEqual(
      app.queue.scheduled().map((j) => ({ kind: j.kind, inMs: j.runAt - app.clock.now() })),
      [{ kind: "prune-pull", inMs: 30_000 }],
      "the job waits in the queue for retry-after, not in a worker",
    );
    await app.advance(29_000);
    assert.equal(fake.countRequests("DELETE", /versions\/12$/), 1, "not before retry-after");
    await app.advance(1_000);
    assert.equal(fake.countRequests("DELETE", /versions\/12$/), 2);
    assert.deepEqual(remaining(), [11, 13, 14, 15]);
    assert.match(
      comment(),
      /GitHub refused to delete 1: `Publicly visible package versions with more than 5000 downloads cannot be deleted\.`/,
    );
  });

  it("keeps a credential's deletions at least the write interval apart", async () => {
    await start({ DOCKHAND_PACKAGES_TOKEN: "ghp_classic_test_token", DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "150" });
    await close();
    await app.advance(24 * HOUR);
    const [first, second] = fake.packageDeletes;
    assert.ok(first && second);
    assert.ok(second.at - first.at >= 140, `${second.at - first.at} ms apart`);
  });

  it("does nothing when pruning is off or the config is invalid", async () => {
    await start(undefined, "prune:\n  mode: off\n");
    await close();
    assert.deepEqual(app.queue.scheduled(), []);
    fake.setFile(FULL, ".github/dockhand.yml", "prune:\n  graceHours: -1\n");
    await close(CLOSED_AT, "again");
    assert.deepEqual(app.queue.scheduled(), []);
  });
});
