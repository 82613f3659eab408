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
    const start = jobs.periodic(
      REDELIVER_JOB,
      {
        schedule: { everyMs: intervalMs },
        first: () => ({ data: { slot: clock.now() }, runAt: clock.now() }),
        // A scheduler's run has no slot, and queues nothing.
        next: (job) =>
          job.slot === undefined ? undefined : { data: { slot: job.slot + intervalMs }, runAt: job.slot + intervalMs },
      },
      async () => {
        // A scheduler left in Redis by a release or replica with the loop on does nothing here.
        if (!settings.redeliver.enabled) return;
        await redeliverFailed({
          appOctokit: runtime.appOctokit,
          state,
          now: () => clock.now(),
          handled: new Set(runtime.events()),
          limits: settings.redeliver,
          metrics: runtime.metrics,
          log,
        });
      },
    );
    if (settings.redeliver.enabled)
      void start().catch((error: unknown) => log.error({ err: error }, "could not schedule the redelivery loop"));
  },
};
