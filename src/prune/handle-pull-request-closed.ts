import type { Logger } from "probot";
import { z } from "zod";
import { loadConfig } from "../config/load-config.js";
import type { EventContext } from "../events/event-context.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import type { Jobs } from "../queue/job-kind.js";
import { PRUNE_PULL_JOB, type PrunePullJob } from "./prune-pull-job.js";
import type { PruneRecord } from "./prune-record.js";

const payloadSchema = z.object({
  installation: z.object({ id: z.number() }),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
  pull_request: z.object({ number: z.number(), closed_at: z.string(), head: z.object({ sha: z.string() }) }),
});

export interface PullRequestClosedDependencies {
  queue: Jobs;
  containerRegistry: string;
  /** Notes the schedule in the PR comment, if Dockhand has one there. */
  record: (
    octokit: Octokit,
    target: RepoRef & { number: number; headSha: string },
    record: PruneRecord,
    log: Logger,
  ) => Promise<void>;
}

/** One close of a PR (closing again after a reopen is new work). */
export function pullRequestClosedWork(payload: unknown): string | undefined {
  const p = payload as {
    repository?: { id?: unknown };
    pull_request?: { number?: unknown; closed_at?: unknown };
  } | null;
  if (!p?.pull_request) return undefined;
  return `pull_request.closed:${String(p.repository?.id)}#${String(p.pull_request.number)}@${String(p.pull_request.closed_at)}`;
}

/** A PR closed (merged or not): schedule pruning its images after the grace period. */
export async function handlePullRequestClosed(
  context: EventContext,
  deps: PullRequestClosedDependencies,
): Promise<void> {
  const parsed = payloadSchema.safeParse(context.payload);
  if (!parsed.success) {
    context.log.warn(
      { problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) },
      "ignoring malformed pull_request payload",
    );
    return;
  }
  const { installation, repository, pull_request: pull } = parsed.data;
  const repo = { owner: repository.owner.login, repo: repository.name };
  const log = context.log.child({ repository: `${repo.owner}/${repo.repo}`, pull: pull.number });
  const loaded = await loadConfig(context.octokit, repo);
  if (!loaded.ok) {
    log.error({ problems: loaded.problems }, "invalid .github/dockhand.yml; not pruning");
    return;
  }
  const config = loaded.config.prune;
  if (config.mode === "off") return;
  const job: PrunePullJob = {
    installationId: installation.id,
    ...repo,
    number: pull.number,
    closedAt: pull.closed_at,
    headSha: pull.head.sha,
  };
  const runAt = Date.parse(pull.closed_at) + config.graceHours * 3600 * 1000;
  const packages = (config.packages.length > 0 ? config.packages : [repo.repo]).map((name) => ({
    name,
    deleted: [],
    refused: [],
    failed: 0,
    kept: 0,
  }));
  await deps.record(
    context.octokit,
    { ...repo, number: pull.number, headSha: pull.head.sha },
    {
      status: "scheduled",
      at: new Date(runAt).toISOString(),
      owner: repo.owner,
      registry: deps.containerRegistry,
      packages,
    },
    log,
  );
  // Queued after the note, so the prune's own record can never be overwritten by it.
  const added = await deps.queue.add(PRUNE_PULL_JOB, job, runAt);
  log.info({ runAt: new Date(runAt).toISOString(), added }, "prune scheduled");
}
