import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeRegistry } from "../support/fake-registry.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { startHttpApp, type HttpApp } from "../support/http-app.js";
import { startHttpGitHub } from "../support/http-github.js";
import { sequentialRoundTrips, type Exchange } from "../support/round-trips.js";
import { buildJob, buildxLog, REPO, SHA1 } from "../support/scenario.js";
import { workflowRunCompleted, type RunSpec } from "../support/webhooks.js";

const FULL = "octo-org/app";
/** Long enough that requests sent together overlap at the server even on a loaded machine. */
const LATENCY_MS = 200;

/**
 * The report's critical path, counted, not timed: a same-repository PR's report reaches its comment in
 * at most 6 sequential GitHub round trips (the token; the config, the PR and the jobs together; the
 * artifacts and the log's redirect together; the log's range; the comments; the write), 5 with the
 * token cached, and sends no more requests than it did one after another. A change that serialises the
 * path again fails here.
 */
describe("the report's round trips to the comment", () => {
  let github: Awaited<ReturnType<typeof startHttpGitHub>>;
  let fake: FakeGitHub;
  let app: HttpApp;
  let registry: Awaited<ReturnType<FakeRegistry["serve"]>>;

  before(async () => {
    const images = new FakeRegistry();
    const digest = images.put({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json" });
    registry = await images.serve();
    github = await startHttpGitHub({ latencyMs: LATENCY_MS });
    fake = github.fake;
    fake.addRepo(REPO);
    fake.setFile(FULL, ".github/dockhand.yml", `report:\n  expectedTags: ["pr-{number}"]\n`);
    for (const [pull, runs] of [
      [7, [801]],
      [8, [802, 803]],
    ] as const) {
      fake.addPull(FULL, { number: pull, headRef: `feature-${pull}`, headSha: SHA1, headRepo: REPO });
      images.tag("octo-org/app", `pr-${pull}`, digest);
      for (const run of runs) {
        fake.setJobs(FULL, run, 1, [buildJob(run, buildxLog([`${registry.host}/octo-org/app:pr-${pull}`], digest))]);
        fake.setArtifacts(run, [{ id: run, name: "image.tar", size_in_bytes: 2048 }]);
      }
    }
    // The fake reads GitHub's OpenAPI description on its first request, which is not GitHub's time.
    await fetch(`http://${github.host}/api/v3/app`).then((response) => response.arrayBuffer());
    app = await startHttpApp(fake, { DOCKHAND_REGISTRIES: registry.host });
  });
  after(async () => {
    await app.stop();
    await github.close();
    await registry.close();
    assert.deepEqual(fake.violations, []);
  });

  /** A delivery of `spec` handled to its end: the requests its job made. */
  async function handled(spec: Omit<RunSpec, "repo" | "headSha">): Promise<Exchange[]> {
    const first = github.exchanges.length;
    assert.equal(await app.send("workflow_run", workflowRunCompleted({ repo: REPO, headSha: SHA1, ...spec })), 200);
    await app.queue.idle();
    return github.exchanges.slice(first);
  }

  /** A run on PR `pull` reported: its requests, and the round trips up to the comment's write. */
  async function deliver(id: number, pull: number, installationId: number) {
    const exchanges = await handled({ id, headBranch: `feature-${pull}`, installationId });
    const write = exchanges.find(
      (e: Exchange) => /^(POST|PATCH)$/.test(e.method) && /\/issues\/(\d+\/)?comments/.test(e.path),
    );
    assert.ok(write, "the comment was written");
    assert.match(
      fake.commentsOn(FULL, pull)[0]?.body ?? "",
      new RegExp(`:pr-${pull}\\b`),
      "the comment shows the image",
    );
    return {
      requests: exchanges.map((e) => `${e.method} ${e.path.replace(/\?.*/, "")}`),
      roundTrips: sequentialRoundTrips(exchanges.filter((e) => e.end <= write.end)),
    };
  }

  it("first delivery of the process: the app's id is asked beside the comments, at most 6 round trips", async () => {
    const { requests, roundTrips } = await deliver(801, 7, 1);
    assert.ok(roundTrips <= 6, `${roundTrips} sequential round trips: ${requests.join(", ")}`);
    assert.equal(requests.length, 11, requests.join(", "));
  });

  it("a new installation's token, a new comment: at most 6 round trips, no more requests than one at a time", async () => {
    const { requests, roundTrips } = await deliver(802, 8, 2);
    assert.ok(roundTrips <= 6, `${roundTrips} sequential round trips: ${requests.join(", ")}`);
    // token, config, PR, jobs, artifacts, log redirect, log range, comments, new comment, comments again
    assert.equal(requests.length, 10, requests.join(", "));
  });

  it("the token cached, the comment updated: at most 5 round trips", async () => {
    const { requests, roundTrips } = await deliver(803, 8, 2);
    assert.ok(roundTrips <= 5, `${roundTrips} sequential round trips: ${requests.join(", ")}`);
    assert.equal(requests.length, 8, requests.join(", "));
  });

  it("a run of another event than the default's waits for the config, which does not select it: one read", async () => {
    const exchanges = await handled({ id: 804, headBranch: "feature-8", event: "push", installationId: 2 });
    assert.deepEqual(
      exchanges.map((e) => `${e.method} ${e.path}`),
      ["GET /api/v3/repos/octo-org/app/contents/.github%2Fdockhand.yml"],
    );
  });
});
