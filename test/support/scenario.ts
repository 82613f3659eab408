import { emptyState } from "../../src/comment/comment-state.js";
import { commentFor, pullKey } from "./comment-state.js";
import type { FakeGitHub, JobSpec, RepoSpec } from "./fake-github.js";
import { workflowRunCompleted } from "./webhooks.js";

/** A repository, a fork and commits shared by the scenario tests. */
export const REPO: RepoSpec = { owner: "octo-org", name: "app", id: 1001 };
export const FORK: RepoSpec = { owner: "outsider", name: "app", id: 2002, ownerType: "User" };
export const SHA1 = "1111111111111111111111111111111111111111";
export const SHA2 = "2222222222222222222222222222222222222222";
export const DIGEST_A = `sha256:${"a".repeat(64)}`;
export const DIGEST_B = `sha256:${"b".repeat(64)}`;

export function buildxLog(refs: string[], digest: string): string {
  const lines = [
    "2026-11-20T11:00:00.0000000Z ##[group]Run docker/build-push-action@v6",
    "2026-11-20T11:00:01.0000000Z #14 exporting to image",
    "2026-11-20T11:00:02.0000000Z #14 exporting layers done",
    `2026-11-20T11:00:02.1000000Z #14 exporting manifest list ${digest} done`,
    ...refs.map((ref) => `2026-11-20T11:00:03.0000000Z #14 pushing manifest for ${ref}@${digest} 0.9s done`),
    "2026-11-20T11:00:04.0000000Z #14 DONE 3.1s",
  ];
  return lines.join("\n");
}

export function buildJob(id: number, log: string | Buffer, conclusion: JobSpec["conclusion"] = "success"): JobSpec {
  return { id, name: "build-and-push", conclusion, steps: [{ name: "Build and push", conclusion }], log };
}

export function seedRepo(fake: FakeGitHub, config?: string): void {
  fake.addRepo(REPO);
  if (config !== undefined) fake.setFile("octo-org/app", ".github/dockhand.yml", config);
}

/** PR #7 of octo-org/app, from feature/login at SHA1: open, or closed at `closedAt`. */
export function addPr7(fake: FakeGitHub, closedAt?: string): void {
  fake.addPull("octo-org/app", {
    number: 7,
    headRef: "feature/login",
    headSha: SHA1,
    headRepo: REPO,
    ...(closedAt ? { state: "closed" as const, closedAt } : {}),
  });
}

/** Dockhand's report comment on PR #7 as an earlier delivery left it: its marker and an empty state. */
export function addDockhandComment(fake: FakeGitHub): void {
  fake.addComment("octo-org/app", 7, {
    body: commentFor(emptyState(SHA1), pullKey("octo-org/app", 7)),
    appId: fake.app.id,
    user: "dockhand-test[bot]",
  });
}

/**
 * PR #7 (from feature/x) and its run 500 that failed in its one job, whose log is `log`, with the
 * report on: the case test/black-box/bounded-reads.test.ts holds and bench/bounded-reads.ts measures.
 * Returns the run's completion as GitHub delivers it.
 */
export function seedFailedRun(fake: FakeGitHub, log: string | Buffer): Record<string, unknown> {
  seedRepo(fake, "report:\n  enabled: true\n");
  fake.addPull("octo-org/app", { number: 7, headRef: "feature/x", headSha: SHA1, headRepo: REPO });
  fake.addRun("octo-org/app", { id: 500, workflowId: 77, headSha: SHA1, headBranch: "feature/x" });
  fake.setJobs("octo-org/app", 500, 1, [buildJob(1, log, "failure")]);
  return workflowRunCompleted({
    repo: REPO,
    id: 500,
    headSha: SHA1,
    headBranch: "feature/x",
    conclusion: "failure",
    pullRequests: [{ number: 7, headSha: SHA1 }],
  });
}

const BUILD_OUTPUT = `2026-11-20T10:59:00.0000000Z #9 12.3 compiling module ${"x".repeat(60)}\n`;

/** 200 MB of build output, then `end`: as bytes, never a string on the heap of the process measured. */
export function hugeBuildLog(end = ""): Buffer {
  const filler = Math.ceil(200_000_000 / BUILD_OUTPUT.length) * BUILD_OUTPUT.length;
  const log = Buffer.allocUnsafe(filler + Buffer.byteLength(end));
  log.fill(BUILD_OUTPUT, 0, filler);
  log.write(end, filler);
  return log;
}

/** A huge failed push: 200 MB of build output, then buildx pushing octo-org/app's `tags` to `host`, then the step's error. */
export function hugeFailedPushLog(host: string, tags: string[], digest: string): Buffer {
  const pushes = buildxLog(
    tags.map((tag) => `${host}/octo-org/app:${tag}`),
    digest,
  );
  return hugeBuildLog(`${pushes}\n2026-11-20T11:00:05.0000000Z ##[error]Process completed with exit code 1.`);
}
