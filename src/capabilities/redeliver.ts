import { REDELIVER_JOB } from "../redeliver/redeliver-job.js";
import { redeliverFailed } from "../redeliver/redeliver-failed.js";
import { MemoryRedeliveryState, RedisRedeliveryState } from "../redeliver/redelivery-state.js";
import type { Capability } from "../runtime/runtime.js";

/**
 * The recovery loop: GitHub does not redeliver a webhook that failed (Dockhand down, or answering 503
 * because its queue could not take it), so Dockhand asks for it again, at start and then every
 * `DOCKHAND_REDELIVER_INTERVAL_MS`: with Redis, a job scheduler fires once across replicas and the
 * checkpoint and per-delivery counts are shared; in one process a chain of jobs, the first at start.
 */
export const redeliver: Capability = {
  name: "redeliver",
  jobs: [REDELIVER_JOB],
  register: (runtime) => {
    const { clock, jobs, settings } = runtime;
    const { intervalMs } = settings.redeliver;
    const log = runtime.log.child({ name: "redeliver" });
    const state = runtime.redis
      ? new RedisRedeliveryState(runtime.redis)
      : new MemoryRedeliveryState(() => clock.now());
    const scheduled = runtime.queue.every?.bind(runtime.queue);

    jobs.handle(REDELIVER_JOB, async (job) => {
      // A scheduler left in Redis by a release or replica with the loop on does nothing here.
      if (!settings.redeliver.enabled) return;
      try {
        await redeliverFailed({
          appOctokit: runtime.appOctokit,
          state,
          now: () => clock.now(),
          handled: new Set(runtime.events()),
          limits: settings.redeliver,
          metrics: runtime.metrics,
          log,
        });
      } finally {
        // The chain goes on whether this run succeeded or is tried again (the next run's id is its slot).
        if (!scheduled && job.slot !== undefined)
          await jobs.add(REDELIVER_JOB, { slot: job.slot + intervalMs }, job.slot + intervalMs);
      }
    });
    if (!settings.redeliver.enabled) return;
    if (scheduled) {
      void scheduled(REDELIVER_JOB.name, { everyMs: intervalMs }).catch((error: unknown) =>
        log.error({ err: error }, "could not schedule the redelivery loop"),
      );
    } else {
      void jobs.add(REDELIVER_JOB, { slot: clock.now() }, clock.now());
    }
  },
};
