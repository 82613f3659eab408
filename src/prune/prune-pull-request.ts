import { loadConfig } from "../config/load-config.js";
import type { Octokit } from "../github/octokit.js";
import { isFinalRun, type RunningJob } from "../queue/job-queue.js";
import type { PrunePullJob } from "./prune-pull-job.js";
import type { PruneRecord } from "./prune-record.js";
import { pruneRepositoryPackages, type PruneRepositoryDependencies } from "./prune-repository.js";

export interface PrunePullDependencies extends PruneRepositoryDependencies {
  /** Writes the record into the PR comment; `create` when there was something to say and no comment yet. */
  record: (octokit: Octokit, job: PrunePullJob, record: PruneRecord, create: boolean) => Promise<void>;
}

/**
 * The scheduled half of PR-close pruning: if the PR is still closed (the same close), prune each
 * configured package of that PR's tags, and record what was deleted in the PR comment.
 */
export async function prunePullRequest(
  job: PrunePullJob,
  deps: PrunePullDependencies,
  running: RunningJob,
): Promise<void> {
  const log = deps.log.child({ repository: `${job.owner}/${job.repo}`, pull: job.number });
  const octokit = await deps.octokitFor(job.installationId);
  if (job.outcome) return deps.record(octokit, job, job.outcome.record, job.outcome.create);
  const repo = { owner: job.owner, repo: job.repo };
  const { data: pull } = await octokit.rest.pulls.get({ ...repo, pull_number: job.number });
  const now = deps.clockNow();
  if (pull.state === "open") {
    log.info("PR reopened; prune cancelled");
    await deps.record(
      octokit,
      job,
      {
        status: "cancelled",
        at: new Date(now).toISOString(),
        owner: job.owner,
        registry: deps.containerRegistry,
        packages: [],
      },
      false,
    );
    return;
  }
  if (pull.closed_at !== job.closedAt) {
    log.info("PR closed again since; that close has its own prune");
    return;
  }
  const loaded = await loadConfig(octokit, repo);
  if (!loaded.ok) {
    log.error({ problems: loaded.problems }, "invalid .github/dockhand.yml; not pruning");
    return;
  }
  const config = loaded.config.prune;
  if (config.mode === "off") return;
  const packages = await pruneRepositoryPackages(
    {
      installation: { id: job.installationId, octokit },
      ...repo,
      config,
      scope: { kind: "pull", number: job.number },
      pullStates: () => Promise.resolve([{ number: job.number, state: "closed", closedAt: Date.parse(job.closedAt) }]),
      now,
      job: {
        finished: job.finished ?? [],
        current: job.current,
        checkpoint: (finished, current) => running.checkpoint({ ...job, finished, current }),
        isFinal: (error) => isFinalRun(running, error),
      },
    },
    { ...deps, log },
  );
  const record: PruneRecord = {
    status: config.mode === "dry-run" ? "dry-run" : "done",
    at: new Date(now).toISOString(),
    owner: job.owner,
    registry: deps.containerRegistry,
    packages,
  };
  const outcome = { record, create: packages.some((p) => p.deleted.length > 0 || p.problem !== undefined) };
  await running.checkpoint({ ...job, outcome });
  await deps.record(octokit, job, outcome.record, outcome.create);
}
