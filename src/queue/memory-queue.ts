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

interface PendingJob {
  kind: string;
  data: unknown;
  runAt: number;
  tries: number;
  /** Rate limits waited out so far. */
  waits: number;
}

export interface MemoryQueueOptions {
  clock: Clock;
  log: Logger;
  /** A job that throws is tried this many times in all, with doubling delays. */
  maxTries?: number;
  /** A job that throws a rate limit runs again at its end, this many times without spending a try. */
  maxWaits?: number;
  retryDelayMs?: number;
  /** Slots of the default lane. */
  concurrency?: number;
  lanes?: Lanes;
  /** How long a finished job's id still turns away duplicates. */
  rememberMs?: number;
  /** Told how each run of a job ended, for metrics. */
  onJob?: (event: { kind: string; outcome: JobOutcome; seconds: number }) => void;
}

/**
 * The single-process queue: jobs wait in memory for their time and run in this process. It is lost
 * on restart, which is why the Redis mode exists for deployments that must not drop scheduled work.
 */
export class MemoryQueue implements JobQueue {
  private readonly pending = new Map<string, PendingJob>();
  private readonly finished = new Map<string, number>();
  private readonly handlers = new Map<string, JobHandler>();
  private readonly running = new Set<Promise<void>>();
  private readonly busy = new Map<string, number>();
  private timer: unknown;
  private closed = false;
  private readonly maxTries: number;
  private readonly maxWaits: number;
  private readonly retryDelayMs: number;
  private readonly concurrency: number;
  private readonly rememberMs: number;

  constructor(private readonly options: MemoryQueueOptions) {
    this.maxTries = options.maxTries ?? MAX_TRIES;
    this.maxWaits = options.maxWaits ?? MAX_WAITS;
    this.retryDelayMs = options.retryDelayMs ?? 30_000;
    this.concurrency = options.concurrency ?? 4;
    this.rememberMs = options.rememberMs ?? 24 * 3600 * 1000;
  }

  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  add(kind: string, data: unknown, options: { id: string; runAt: number }): Promise<boolean> {
    checkRunAt(options);
    this.forgetOld();
    if (this.closed || this.pending.has(options.id) || this.finished.has(options.id)) return Promise.resolve(false);
    this.pending.set(options.id, { kind, data, runAt: options.runAt, tries: 0, waits: 0 });
    this.arm();
    return Promise.resolve(true);
  }

  /** Resolves once nothing runs and nothing is due; for tests and for draining. */
  async idle(): Promise<void> {
    for (;;) {
      this.runDue();
      if (this.running.size === 0) return;
      await Promise.allSettled([...this.running]);
    }
  }

  /** Jobs still waiting, soonest first. */
  scheduled(): { id: string; kind: string; runAt: number }[] {
    return [...this.pending]
      .map(([id, job]) => ({ id, kind: job.kind, runAt: job.runAt }))
      .sort((a, b) => a.runAt - b.runAt);
  }

  /**
   * Runs what is already due (a delivery answered 2xx is one GitHub will not send again, and nothing
   * else holds it), then takes no more jobs and resolves when the running ones finish; jobs waiting for
   * a later time are dropped (and logged). The shutdown deadline bounds the whole.
   */
  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
    this.options.clock.clearTimeout(this.timer);
    if (this.pending.size > 0)
      this.options.log.warn(
        // A count and a sample: thousands of waiting prunes would otherwise make one huge line.
        { dropped: this.pending.size, ids: [...this.pending.keys()].slice(0, 20) },
        "queue closed with jobs still waiting; without Redis they are lost",
      );
    await Promise.allSettled([...this.running]);
  }

  ready(): Promise<boolean> {
    return Promise.resolve(!this.closed);
  }

  private lane(kind: string): string {
    return laneOf(this.options.lanes ?? {}, kind);
  }

  private hasRoom(lane: string): boolean {
    return (this.busy.get(lane) ?? 0) < (this.options.lanes?.[lane]?.concurrency ?? this.concurrency);
  }

  private arm(): void {
    this.options.clock.clearTimeout(this.timer);
    // Jobs of a lane whose slots are all taken wait for one to finish, which starts the next; a timer now would only spin.
    const waiting = [...this.pending.values()].filter((job) => this.hasRoom(this.lane(job.kind)));
    if (this.closed || waiting.length === 0) return;
    const next = Math.min(...waiting.map((job) => job.runAt));
    // One timer however far the job is (the clock chains what one Node timer cannot hold).
    this.timer = this.options.clock.setTimeout(() => this.runDue(), Math.max(0, next - this.options.clock.now()));
  }

  private runDue(): void {
    if (this.closed) return;
    const now = this.options.clock.now();
    const due = [...this.pending].filter(([, job]) => job.runAt <= now).sort(([, a], [, b]) => a.runAt - b.runAt);
    for (const [id, job] of due) {
      const lane = this.lane(job.kind);
      if (!this.hasRoom(lane)) continue;
      this.pending.delete(id);
      this.busy.set(lane, (this.busy.get(lane) ?? 0) + 1);
      const run = this.execute(id, job).finally(() => {
        this.running.delete(run);
        this.busy.set(lane, (this.busy.get(lane) ?? 1) - 1);
        this.runDue();
      });
      this.running.add(run);
    }
    this.arm();
  }

  private async execute(id: string, taken: PendingJob): Promise<void> {
    let job = taken;
    const handler = this.handlers.get(job.kind);
    const log = this.options.log.child({ job: id, kind: job.kind });
    const started = performance.now();
    const report = (outcome: JobOutcome) =>
      this.options.onJob?.({ kind: job.kind, outcome, seconds: (performance.now() - started) / 1000 });
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(job.data, {
        checkpoint: (data) => {
          job = { ...job, data };
          return Promise.resolve();
        },
        lastTry: job.tries + 1 >= this.maxTries,
        mayWait: job.waits < this.maxWaits,
      });
      this.finished.set(id, this.options.clock.now());
      report("done");
    } catch (error) {
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== undefined) {
        // A rate limit: the slot is freed at once and the job runs again when it ends, as often as it may wait.
        if (job.waits < this.maxWaits) {
          log.info(
            { err: error, waits: job.waits + 1, retryInMs: retryAfter },
            "job rate-limited; running it again when the limit ends",
          );
          this.pending.set(id, { ...job, waits: job.waits + 1, runAt: this.options.clock.now() + retryAfter });
          report("rate-limited");
        } else {
          log.error(
            { err: error, waits: job.waits },
            "job still rate-limited after waiting as often as it may; given up",
          );
          this.finished.set(id, this.options.clock.now());
          report("failed");
        }
        return;
      }
      const tries = job.tries + 1;
      if (tries < this.maxTries) {
        const delay = this.retryDelayMs * 2 ** (tries - 1);
        log.warn({ err: error, tries, retryInMs: delay }, "job failed; trying again later");
        this.pending.set(id, { ...job, tries, runAt: this.options.clock.now() + delay });
        report("retry");
      } else {
        log.error({ err: error, tries }, "job failed for good");
        this.finished.set(id, this.options.clock.now());
        report("failed");
      }
    }
  }

  /** Runs on every add (each delivery): ids finish in time order, so only the expired head is visited. */
  private forgetOld(): void {
    const cutoff = this.options.clock.now() - this.rememberMs;
    for (const [id, at] of this.finished) {
      if (at >= cutoff) return;
      this.finished.delete(id);
    }
  }
}
