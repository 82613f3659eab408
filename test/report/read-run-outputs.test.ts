import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { listAttemptJobs } from "../../src/github/list-attempt-jobs.js";
import type { Octokit } from "../../src/github/octokit.js";
import { dockhandOctokit } from "../../src/github/octokit-options.js";
import { readRunOutputs } from "../../src/report/read-run-outputs.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { startHttpGitHub } from "../support/http-github.js";
import { sequentialRoundTrips, type Exchange } from "../support/round-trips.js";
import { buildJob, buildxLog, DIGEST_A, REPO } from "../support/scenario.js";
import { testSettings } from "../support/test-settings.js";

const FULL = "octo-org/app";
const repo = { owner: REPO.owner, repo: REPO.name };
const log = pino({ level: "silent" });
const JOBS = 16;

/** The most requests that were in flight at one moment. */
function mostAtOnce(exchanges: readonly Exchange[]): number {
  const events = exchanges.flatMap((e) => [
    { at: e.start, step: 1 },
    { at: e.end, step: -1 },
  ]);
  // An answer that leaves as another request arrives frees its place first.
  events.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let most = 0;
  for (const { step } of events) most = Math.max(most, (now += step));
  return most;
}

describe("readRunOutputs over a distant GitHub", () => {
  let github: Awaited<ReturnType<typeof startHttpGitHub>>;
  let fake: FakeGitHub;
  let octokit: Octokit;

  before(async () => {
    github = await startHttpGitHub({ latencyMs: 100 });
    fake = github.fake;
    fake.addRepo(REPO);
    fake.setJobs(
      FULL,
      700,
      1,
      Array.from({ length: JOBS }, (_, i) => ({
        ...buildJob(7000 + i, buildxLog([`ghcr.io/octo-org/app:job-${i}`], DIGEST_A)),
        name: `image-${i}`,
      })),
    );
    fake.setArtifacts(700, [{ id: 1, name: "image.tar", size_in_bytes: 2048 }]);
    octokit = new (dockhandOctokit(testSettings()))({
      auth: "ghp_reader",
      baseUrl: fake.apiUrl,
      log,
    }) as unknown as Octokit;
  });
  after(async () => {
    await github.close();
    assert.deepEqual(fake.violations, []);
  });

  const read = async () => {
    const jobs = await listAttemptJobs(octokit, repo, { id: 700, attempt: 1 });
    github.exchanges.length = 0;
    return readRunOutputs(
      octokit,
      repo,
      { id: 700, attempt: 1 },
      { jobs, readLogs: true, maxJobLogs: 20, reads: 4, log },
    );
  };

  it("reads the artifacts and the logs together, never more than `reads` at once, and reports in job order", async () => {
    const outputs = await read();
    assert.deepEqual(
      outputs.jobImages.map((j) => j.job),
      Array.from({ length: JOBS }, (_, i) => `image-${i}`),
    );
    assert.equal(outputs.artifacts?.length, 1);
    assert.deepEqual(outputs.logs, { read: JOBS, failed: [], skipped: 0, truncated: [] });
    // The artifact list and 3 logs at a time; each log is its redirect, then its range.
    assert.ok(mostAtOnce(github.exchanges) <= 4, `${mostAtOnce(github.exchanges)} requests at once`);
    assert.equal(github.exchanges.length, 1 + 2 * JOBS);
    // One at a time this was 1 + 2 × 16 = 33 round trips; three logs at a time, 2 × ⌈16 / 3⌉ = 12.
    assert.equal(sequentialRoundTrips(github.exchanges), 12);
  });

  it("fails on a transient failure as one read at a time did, once every read it started has ended", async () => {
    fake.fail("GET", /\/actions\/jobs\/7001\/logs$/, { status: 502, body: { message: "Server Error" } }, 2);
    await assert.rejects(read(), (error: { status?: number }) => error.status === 502);
    assert.ok(
      github.exchanges.every((e) => e.end > 0),
      "no request of the failed read is still in flight",
    );
    // The second job's log failed (sent twice, half a second apart): the logs started beside it end, and
    // none is asked for once it failed.
    const logs = github.exchanges.filter((e) => /\/actions\/jobs\/\d+\/logs$/.test(e.path));
    const failed = Math.max(...logs.filter((e) => e.path.includes("/7001/")).map((e) => e.end));
    assert.ok(
      logs.every((e) => e.start < failed),
      "no log asked for after the failure",
    );
    assert.ok(logs.length < JOBS + 1, `${logs.length} log redirects asked for`);
  });

  it("says which logs GitHub would not give, and reads the others", async () => {
    fake.fail("GET", /\/actions\/jobs\/7002\/logs$/, { status: 404, body: { message: "Not Found" } }, 1);
    const outputs = await read();
    assert.deepEqual(outputs.logs.failed, ["image-2: HTTP 404"]);
    assert.equal(outputs.logs.read, JOBS - 1);
    assert.equal(outputs.jobImages.length, JOBS - 1);
  });
});
