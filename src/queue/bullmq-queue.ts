import { DelayedError, Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "probot";
import {
  checkRunAt,
  laneOf,
  MAX_TRIES,
  MAX_WAITS,
  retryAfterOf,
  type Clock,
  type JobHandler,
  type JobOutcome,
  type JobQueue,
  type Lanes,
} from "./job-queue.js";
import { lastCronFiring, parseCron } from "../util/cron.js";

export interface BullmqQueueOptions {
  redisUrl: string;
  clock: Clock;
  log: Logger;
  /** Queue name; replicas sharing it share the work. A lane's queue is `<name>-<lane>`. */
  name?: string;
  /** Slots of each replica's default-lane worker. */
  concurrency?: number;
  lanes?: Lanes;
  /** How long a worker's claim on a job lasts without renewal: a killed worker's job is taken over after it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** First retry delay of a failed job; doubles per attempt. */
  retryDelayMs?: number;
  /** How often each replica checks that its job schedulers are still in Redis (default a minute). */
  schedulerCheckMs?: number;
  onJob?: (event: { kind: string; outcome: JobOutcome; seconds: number }) => void;
}

/** BullMQ job ids may not contain `:`, which Dockhand's ids use as a separator. */
function bullmqId(id: string): string {
  return id.replaceAll(":", "%3A");
}

function schedulerId(kind: string): string {
  return `${kind}-scheduler`;
}

/**
 * The Redis mode of the job queue (BullMQ): jobs survive restarts, every replica's worker takes them,
 * a killed worker's job is taken over once its lock lapses, and a job id stands for its work across
 * all replicas. Failed jobs are kept for a week, visible with any BullMQ dashboard.
 */
export class BullmqQueue implements JobQueue {
  /** The queues' Redis connection, shared with what else needs Redis (the retry budget); closed with the queue. */
  readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, { worker: Worker; connection: Redis }>();
  private readonly handlers = new Map<string, JobHandler>();
  /** The schedulers this replica asked for, by kind: put back if Redis loses them. */
  private readonly schedules = new Map<string, string | { everyMs: number }>();
  /** When this replica last saw each scheduler in Redis: a firing after it may have been lost with the data. */
  private readonly seen = new Map<string, number>();
  private checkTimer: unknown;
  private closed = false;

  constructor(private readonly options: BullmqQueueOptions) {
    this.connection = this.redis();
  }

  async add(kind: string, data: unknown, options: { id: string; runAt: number }): Promise<boolean> {
    checkRunAt(options);
    if (this.closed) return false;
    const queue = this.queueOf(this.lane(kind));
    const jobId = bullmqId(options.id);
    if (await queue.getJob(jobId)) return false;
    await queue.add(kind, data, {
      jobId,
      // Kept in Redis as a due time, not a timer: any length is fine (workers poll at most every 10 s).
      delay: Math.max(0, options.runAt - this.options.clock.now()),
      attempts: MAX_TRIES,
      backoff: { type: "exponential", delay: this.options.retryDelayMs ?? 30_000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    return true;
  }

  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
    const lane = this.lane(kind);
    if (!this.workers.has(lane)) this.workers.set(lane, this.startWorker(lane));
  }

  /**
   * Runs `kind` on a cron pattern, or every `everyMs`, once per firing across all replicas (a BullMQ job
   * scheduler). A Redis that comes back without its data (restarted without persistence, failed over to
   * an empty replica, flushed) loses the scheduler: each replica checks for it every `schedulerCheckMs`
   * and upserts it again if it is gone, and a cron firing due since it last saw the scheduler runs once
   * at once (the same job id from every replica), since it may have been lost with the data.
   */
  async every(kind: string, schedule: string | { everyMs: number }): Promise<void> {
    this.schedules.set(kind, schedule);
    if (this.checkTimer === undefined && !this.closed) this.armSchedulerCheck();
    await this.upsertScheduler(kind, schedule);
    this.seen.set(kind, this.options.clock.now());
  }

  /** Redis answers, and every worker runs. */
  async ready(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return (
        (await this.connection.ping()) === "PONG" &&
        [...this.workers.values()].every(({ worker }) => worker.isRunning())
      );
    } catch {
      return false;
    }
  }

  /** Stops taking jobs, waits for the running ones, closes the connections. Waiting jobs stay in Redis. */
  async close(): Promise<void> {
    this.closed = true;
    this.options.clock.clearTimeout(this.checkTimer);
    await Promise.all([...this.workers.values()].map(({ worker }) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    for (const { connection } of this.workers.values()) connection.disconnect();
    this.connection.disconnect();
  }

  /**
   * Idempotent (keyed by scheduler id), so replicas upserting at once still leave one scheduler and one
   * job per firing: the later upsert replaces the pending job for the same time.
   */
  private async upsertScheduler(kind: string, schedule: string | { everyMs: number }): Promise<void> {
    try {
      await this.queueOf(this.lane(kind)).upsertJobScheduler(
        schedulerId(kind),
        typeof schedule === "string" ? { pattern: schedule, tz: "UTC" } : { every: schedule.everyMs },
        { name: kind, data: {}, opts: { removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } } },
      );
    } catch (error) {
      // This firing's job already runs or ran (another replica's upsert got there first): the scheduler exists, which is the point.
      if (!(error instanceof Error && /job ID already exists/.test(error.message))) throw error;
    }
  }

  /**
   * A periodic check rather than a hook on reconnection: a FLUSHALL loses the schedulers without any
   * reconnection, and one read per scheduler a minute costs nothing. Armed again once a check ends (a
   * check waits while Redis is unreachable, then runs as soon as it answers).
   */
  private armSchedulerCheck(): void {
    this.checkTimer = this.options.clock.setTimeout(() => {
      void this.checkSchedulers().finally(() => {
        if (!this.closed) this.armSchedulerCheck();
      });
    }, this.options.schedulerCheckMs ?? 60_000);
  }

  private async checkSchedulers(): Promise<void> {
    for (const [kind, schedule] of this.schedules) {
      if (this.closed) return;
      try {
        const queue = this.queueOf(this.lane(kind));
        const now = this.options.clock.now();
        if (await queue.getJobScheduler(schedulerId(kind))) {
          this.seen.set(kind, now);
          continue;
        }
        await this.upsertScheduler(kind, schedule);
        const missed = missedFiring(schedule, this.seen.get(kind) ?? now, now);
        if (missed !== undefined) await this.add(kind, {}, { id: `${schedulerId(kind)}@missed-${missed}`, runAt: now });
        this.seen.set(kind, now);
        this.options.log.warn(
          {
            kind,
            queue: queue.name,
            ...(missed !== undefined ? { missedFiring: new Date(missed).toISOString() } : {}),
          },
          `job scheduler missing from Redis (restarted or flushed); restored${missed !== undefined ? ", and its missed firing run now" : ""}`,
        );
      } catch (error) {
        if (!this.closed) this.options.log.error({ err: error, kind }, "could not check the job scheduler");
      }
    }
  }

  private lane(kind: string): string {
    return laneOf(this.options.lanes ?? {}, kind);
  }

  private queueOf(lane: string): Queue {
    let queue = this.queues.get(lane);
    if (!queue) {
      const name = this.options.name ?? "dockhand";
      queue = new Queue(lane === "default" ? name : `${name}-${lane}`, { connection: this.connection });
      this.queues.set(lane, queue);
    }
    return queue;
  }

  /** A connection whose errors (Redis down, reconnecting) go to the log rather than ioredis's console warning. */
  private redis(): Redis {
    const connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    connection.on("error", (error: Error) => this.options.log.warn({ err: error }, "redis connection error"));
    return connection;
  }

  /** A lane's worker, on a connection of its own (a worker blocks its connection while it waits for jobs). */
  private startWorker(lane: string): { worker: Worker; connection: Redis } {
    const connection = this.redis();
    const worker = new Worker(
      this.queueOf(lane).name,
      async (job: Job, token?: string) => {
        const handler = this.handlers.get(job.name);
        const started = performance.now();
        const seconds = () => (performance.now() - started) / 1000;
        const log = this.options.log.child({ job: job.id, kind: job.name });
        const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        // Every start that was not a failed attempt waited out a rate limit (or was a stalled run taken over: counted too, to be safe).
        const waits = Math.max(0, job.attemptsStarted - job.attemptsMade - 1);
        const mayWait = waits < MAX_WAITS;
        try {
          if (!handler) throw new Error(`no handler for job kind ${job.name}`);
          // Saved in Redis: a retry, or the replica that takes over a killed worker's job, resumes there.
          await handler(job.data, { checkpoint: (data) => job.updateData(data), lastTry: last, mayWait });
          this.options.onJob?.({ kind: job.name, outcome: "done", seconds: seconds() });
        } catch (error) {
          const retryAfter = retryAfterOf(error);
          if (retryAfter !== undefined && mayWait && token) {
            // A rate limit: back to the delayed set until it ends, without spending an attempt, and the slot is freed.
            log.info(
              { err: error, waits: waits + 1, retryInMs: retryAfter },
              "job rate-limited; running it again when the limit ends",
            );
            await job.moveToDelayed(Date.now() + retryAfter, token);
            this.options.onJob?.({ kind: job.name, outcome: "rate-limited", seconds: seconds() });
            throw new DelayedError();
          }
          // A rate limit past the waits ends the job whatever attempts are left.
          const final = last || retryAfter !== undefined;
          if (!last && final) job.discard();
          log[final ? "error" : "warn"](
            { err: error, attempt: job.attemptsMade + 1, waits },
            final ? "job failed for good" : "job failed; trying again later",
          );
          this.options.onJob?.({ kind: job.name, outcome: final ? "failed" : "retry", seconds: seconds() });
          throw error;
        }
      },
      {
        connection,
        concurrency: this.options.lanes?.[lane]?.concurrency ?? this.options.concurrency ?? 4,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      },
    );
    worker.on("error", (error) => this.options.log.error({ err: error }, "queue worker error"));
    return { worker, connection };
  }
}

/** How far back a lost firing is looked for: the latest one of a day is made up, no older. */
const MISSED_LOOKBACK_MS = 24 * 3600 * 1000;

/**
 * The latest firing of a cron schedule after `since` (when the scheduler was last seen) up to `now`,
 * which a scheduler lost with Redis's data may not have run. Interval schedules are left to their next
 * firing, and patterns with seconds (not Dockhand's own) are not looked at.
 */
export function missedFiring(schedule: string | { everyMs: number }, since: number, now: number): number | undefined {
  if (typeof schedule !== "string") return undefined;
  const cron = parseCron(schedule);
  if (typeof cron === "string") return undefined;
  return lastCronFiring(cron, Math.max(since, now - MISSED_LOOKBACK_MS), now);
}
