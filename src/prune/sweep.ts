import type { Logger } from "probot";
import { z } from "zod";
import { loadConfig } from "../config/load-config.js";
import { isTransientError, type Octokit, type RepoRef } from "../github/octokit.js";
import { defineJob, type Jobs } from "../queue/job-kind.js";
import { isFinalRun, type RunningJob } from "../queue/job-queue.js";
import { stableFraction } from "../util/stable-fraction.js";
import { cronFiresBetween, parseCron } from "../util/cron.js";
import { pruneRepositoryPackages, type PruneRepositoryDependencies } from "./prune-repository.js";
import { packageProgressSchema, packageRecordSchema } from "./prune-record.js";
import { pullStatesFor } from "./pull-states.js";

const HOUR = 3600 * 1000;
/** Installations start their sweeps spread over most of the hour after the cron time. */
const JITTER_SPAN = 55 * 60 * 1000;

/**
 * The hour a tick looks back over. A Redis job scheduler fires without data: such a tick is for the
 * hour that just ended (see `lastHour`).
 */
export const sweepTickSchema = z.object({ windowStart: z.number(), windowEnd: z.number() }).partial();
export type SweepTick = Required<z.infer<typeof sweepTickSchema>>;

export const sweepRepoJobSchema = z.object({
  installationId: z.number(),
  owner: z.string(),
  repo: z.string(),
  windowStart: z.number(),
  /**
   * The installation's other repositories due in this window. They are swept one after another, each
   * queued when the one before it ends, so one installation holds at most one prune slot and queues
   * behind everyone else's work rather than ahead of it.
   */
  next: z.array(z.object({ owner: z.string(), repo: z.string() })),
  /** Packages an earlier try of the sweep finished. */
  finished: z.array(packageRecordSchema).optional(),
  /** How far an earlier try got with the package it stopped in. */
  current: packageProgressSchema.optional(),
});
export type SweepRepoJob = z.infer<typeof sweepRepoJobSchema>;

export const SWEEP_TICK_JOB = defineJob({
  name: "sweep-tick",
  schema: sweepTickSchema,
  id: (tick) => `sweep-tick@${tick.windowStart ?? "scheduled"}`,
});
export const SWEEP_REPO_JOB = defineJob({
  name: "sweep-repo",
  schema: sweepRepoJobSchema,
  id: (job) => `sweep:${job.owner}/${job.repo}@${job.windowStart}`,
  lane: "prune",
});

/** The tick for the hour `now` is in, looked at when it ends (the in-process chain of ticks). */
export function tickFor(now: number): { tick: SweepTick; runAt: number } {
  const windowStart = Math.floor(now / HOUR) * HOUR;
  return { tick: { windowStart, windowEnd: windowStart + HOUR }, runAt: windowStart + HOUR };
}

/** The hour that ended last, for a tick a scheduler fired without saying which window it is. */
export function lastHour(now: number): SweepTick {
  const windowEnd = Math.floor(now / HOUR) * HOUR;
  return { windowStart: windowEnd - HOUR, windowEnd };
}

export interface SweepTickDependencies {
  appOctokit: () => Promise<Octokit>;
  octokitFor: (installationId: number) => Promise<Octokit>;
  queue: Jobs;
  log: Logger;
}

/**
 * Once an hour: for every installation, the repositories whose `prune.schedule` fired in the past hour
 * are swept, as a chain of jobs starting at the installation's jittered time (one job id per repository
 * and window, so each runs once across replicas).
 */
export async function sweepTick(tick: SweepTick, deps: SweepTickDependencies): Promise<void> {
  const app = await deps.appOctokit();
  const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
  let retry: unknown;
  for (const installation of installations) {
    // One installation GitHub will not serve (suspended, its token refused) must not stop the others'
    // sweeps; a moment's failure is tried again with the whole tick, whose queued sweeps are idempotent.
    try {
      await tickInstallation(installation.id, tick, deps);
    } catch (error) {
      deps.log.error(
        { err: error, installation: installation.id },
        "cannot list the installation's repositories; not sweeping it this hour",
      );
      if (isTransientError(error)) retry ??= error;
    }
  }
  if (retry) throw retry;
}

async function tickInstallation(installationId: number, tick: SweepTick, deps: SweepTickDependencies): Promise<void> {
  const octokit = await deps.octokitFor(installationId);
  const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
  const jitter = Math.floor(stableFraction(`installation:${installationId}`) * JITTER_SPAN);
  const due: RepoRef[] = [];
  for (const repository of repositories) {
    const repo = { owner: repository.owner.login, repo: repository.name };
    // One repository GitHub will not serve the config of must not stop every installation's sweep.
    const loaded = await loadConfig(octokit, repo).catch((error: unknown) => {
      deps.log.error(
        { err: error, repository: `${repo.owner}/${repo.repo}` },
        "cannot read the repository's config; not sweeping it this hour",
      );
      return undefined;
    });
    if (!loaded?.ok || loaded.config.prune.mode === "off") continue;
    const cron = parseCron(loaded.config.prune.schedule);
    if (typeof cron === "string" || !cronFiresBetween(cron, tick.windowStart, tick.windowEnd)) continue;
    due.push(repo);
  }
  await queueSweep(deps.queue, { installationId, windowStart: tick.windowStart, next: due }, tick.windowEnd + jitter);
}

/** Queues the sweep of the first repository of `chain.next`, carrying the rest. */
async function queueSweep(
  queue: Jobs,
  chain: Pick<SweepRepoJob, "installationId" | "windowStart" | "next">,
  runAt: number,
): Promise<void> {
  const [head, ...rest] = chain.next;
  if (!head) return;
  const job: SweepRepoJob = {
    installationId: chain.installationId,
    ...head,
    windowStart: chain.windowStart,
    next: rest,
  };
  await queue.add(SWEEP_REPO_JOB, job, runAt);
}

export type SweepDependencies = PruneRepositoryDependencies & { clockNow: () => number; queue: Jobs };

/**
 * One repository's scheduled sweep, then the next repository of the installation's chain, queued
 * even when this one failed for good (a transient failure before the last try is retried first).
 */
export async function sweepRepository(job: SweepRepoJob, deps: SweepDependencies, running: RunningJob): Promise<void> {
  let failure: unknown;
  try {
    await sweepOne(job, deps, running);
  } catch (error) {
    if (!isFinalRun(running, error)) throw error;
    failure = error;
  }
  await queueSweep(deps.queue, job, deps.clockNow());
  if (failure !== undefined) throw failure;
}

/** Closed PRs' leftovers, retention windows, old untagged versions. */
async function sweepOne(job: SweepRepoJob, deps: SweepDependencies, running: RunningJob): Promise<void> {
  const log = deps.log.child({
    repository: `${job.owner}/${job.repo}`,
    sweep: new Date(job.windowStart).toISOString(),
  });
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
      job: {
        finished: job.finished ?? [],
        current: job.current,
        checkpoint: (finished, current) => running.checkpoint({ ...job, finished, current }),
        isFinal: (error) => isFinalRun(running, error),
      },
    },
    { ...deps, log },
  );
  for (const record of records) {
    log.info(
      {
        package: record.name,
        deleted: record.deleted.map((d) => d.id),
        kept: record.kept,
        refused: record.refused.length,
        failed: record.failed,
        problem: record.problem,
        dryRun: config.mode === "dry-run",
      },
      "sweep done",
    );
  }
}
