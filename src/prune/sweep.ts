import type { Logger } from "probot";
import { loadConfig } from "../config/load-config.js";
import type { Octokit } from "../github/octokit.js";
import type { JobQueue, RunningJob } from "../queue/job-queue.js";
import { stableFraction } from "../retry/backoff.js";
import { cronFiresBetween, parseCron } from "./cron.js";
import { pruneRepositoryPackages, type PruneRepositoryDependencies } from "./prune-repository.js";
import type { PackageRecord } from "./prune-record.js";
import { pullStatesFor } from "./pull-states.js";

export const SWEEP_TICK_JOB = "sweep-tick";
export const SWEEP_REPO_JOB = "sweep-repo";
const HOUR = 3600 * 1000;
/** Installations start their sweeps spread over most of the hour after the cron time. */
const JITTER_SPAN = 55 * 60 * 1000;

export interface SweepTick {
  windowStart: number;
  windowEnd: number;
}

export interface SweepRepoJob {
  installationId: number;
  owner: string;
  repo: string;
  windowStart: number;
  /** Packages an earlier try of the sweep finished. */
  finished?: PackageRecord[];
}

/** The tick for the hour `now` is in, looked at when it ends (the in-process chain of ticks). */
export function tickFor(now: number): { tick: SweepTick; id: string; runAt: number } {
  const windowStart = Math.floor(now / HOUR) * HOUR;
  return { tick: { windowStart, windowEnd: windowStart + HOUR }, id: `sweep-tick@${windowStart}`, runAt: windowStart + HOUR };
}

/** The hour that ended last, for a tick a scheduler fired without saying which window it is. */
export function lastHour(now: number): SweepTick {
  const windowEnd = Math.floor(now / HOUR) * HOUR;
  return { windowStart: windowEnd - HOUR, windowEnd };
}

export function isSweepTick(data: unknown): data is SweepTick {
  return typeof (data as SweepTick | null)?.windowStart === "number" && typeof (data as SweepTick).windowEnd === "number";
}

export interface SweepTickDependencies {
  appOctokit: () => Promise<Octokit>;
  octokitFor: (installationId: number) => Promise<Octokit>;
  queue: JobQueue;
  log: Logger;
}

/**
 * Once an hour: for every repository of every installation whose `prune.schedule` fired in the past
 * hour, schedule its sweep (one job id per repository and window, so it runs once across replicas).
 */
export async function sweepTick(tick: SweepTick, deps: SweepTickDependencies): Promise<void> {
  const app = await deps.appOctokit();
  const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
  for (const installation of installations) {
    const octokit = await deps.octokitFor(installation.id);
    const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    const jitter = Math.floor(stableFraction(`installation:${installation.id}`) * JITTER_SPAN);
    for (const repository of repositories) {
      const repo = { owner: repository.owner.login, repo: repository.name };
      const loaded = await loadConfig(octokit, repo);
      if (!loaded.ok || loaded.config.prune.mode === "off") continue;
      const cron = parseCron(loaded.config.prune.schedule);
      if (typeof cron === "string" || !cronFiresBetween(cron, tick.windowStart, tick.windowEnd)) continue;
      const job: SweepRepoJob = { installationId: installation.id, ...repo, windowStart: tick.windowStart };
      await deps.queue.add(SWEEP_REPO_JOB, job, { id: `sweep:${repo.owner}/${repo.repo}@${tick.windowStart}`, runAt: tick.windowEnd + jitter });
    }
  }
}

/** One repository's scheduled sweep: closed PRs' leftovers, retention windows, old untagged versions. */
export async function sweepRepository(job: SweepRepoJob, deps: PruneRepositoryDependencies & { clockNow: () => number }, running: RunningJob): Promise<void> {
  const log = deps.log.child({ repository: `${job.owner}/${job.repo}`, sweep: new Date(job.windowStart).toISOString() });
  const octokit = await deps.octokitFor(job.installationId);
  const repo = { owner: job.owner, repo: job.repo };
  const loaded = await loadConfig(octokit, repo);
  if (!loaded.ok || loaded.config.prune.mode === "off") return;
  const config = loaded.config.prune;
  const records = await pruneRepositoryPackages(
    {
      installation: { id: job.installationId, octokit },
      ...repo,
      config,
      scope: { kind: "sweep" },
      pullStates: (versions) => pullStatesFor(octokit, repo, versions, config),
      now: deps.clockNow(),
      job: { finished: job.finished ?? [], checkpoint: (finished) => running.checkpoint({ ...job, finished }), lastTry: running.lastTry },
    },
    { ...deps, log },
  );
  for (const record of records) {
    log.info({ package: record.name, deleted: record.deleted.map((d) => d.id), kept: record.kept, refused: record.refused.length, failed: record.failed, problem: record.problem, dryRun: config.mode === "dry-run" }, "sweep done");
  }
}
