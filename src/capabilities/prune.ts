import { writePruneRecord } from "../comment/write-prune-record.js";
import { handlePullRequestClosed, pullRequestClosedWork } from "../prune/handle-pull-request-closed.js";
import { PackageCredentials } from "../prune/package-credentials.js";
import { PRUNE_PULL_JOB } from "../prune/prune-pull-job.js";
import { prunePullRequest } from "../prune/prune-pull-request.js";
import { lastHour, sweepRepository, sweepTick, SWEEP_REPO_JOB, SWEEP_TICK_JOB, tickFor } from "../prune/sweep.js";
import { WriteLanes } from "../prune/write-lanes.js";
import type { Capability } from "../runtime/runtime.js";

/**
 * Pruning: a closed PR's images after its grace period, and each repository's scheduled sweep
 * (retention windows, closed PRs' leftovers, untagged versions), through one write lane per credential.
 */
export const prune: Capability = {
  name: "prune",
  jobs: [PRUNE_PULL_JOB, SWEEP_REPO_JOB, SWEEP_TICK_JOB],
  register: (runtime) => {
    const { settings, clock, jobs } = runtime;
    const log = runtime.log.child({ name: "prune" });
    const deps = {
      octokitFor: runtime.octokitFor,
      credentials: new PackageCredentials(settings.packagesTokens, runtime.tokenOctokit, log),
      registry: runtime.registry,
      containerRegistry: settings.containerRegistry,
      lanes: new WriteLanes(settings.pruneWriteIntervalMs, runtime.limiters),
      clockNow: () => clock.now(),
      log,
    };

    runtime.on("pull_request.closed", {
      workId: pullRequestClosedWork,
      handle: (context) =>
        handlePullRequestClosed(context, {
          queue: jobs,
          containerRegistry: settings.containerRegistry,
          record: (octokit, target, record, eventLog) =>
            writePruneRecord(runtime.comments, octokit, target, record, false, eventLog),
        }),
    });
    jobs.handle(PRUNE_PULL_JOB, (job, running) =>
      prunePullRequest(
        job,
        {
          ...deps,
          record: (octokit, pull, record, create) =>
            writePruneRecord(runtime.comments, octokit, pull, record, create, log),
        },
        running,
      ),
    );
    jobs.handle(SWEEP_REPO_JOB, (job, running) => sweepRepository(job, { ...deps, queue: jobs }, running));

    // Hourly: with Redis a job scheduler fires once per hour across replicas (without data: the hour
    // that just ended); in one process each tick queues the next hour's.
    const start = jobs.periodic(
      SWEEP_TICK_JOB,
      {
        schedule: "0 * * * *",
        first: () => {
          const first = tickFor(clock.now());
          return { data: first.tick, runAt: first.runAt };
        },
        next: (tick) => {
          if (tick.windowEnd === undefined) return undefined;
          const next = tickFor(tick.windowEnd);
          return { data: next.tick, runAt: next.runAt };
        },
      },
      async (data) => {
        const tick =
          data.windowStart !== undefined && data.windowEnd !== undefined
            ? { windowStart: data.windowStart, windowEnd: data.windowEnd }
            : lastHour(clock.now());
        await sweepTick(tick, { appOctokit: runtime.appOctokit, octokitFor: runtime.octokitFor, queue: jobs, log });
      },
    );
    if (settings.sweep)
      void start().catch((error: unknown) => log.error({ err: error }, "could not schedule the sweep"));
  },
};
