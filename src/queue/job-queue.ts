/** Time, injectable so that tests can move it. */
export interface Clock {
  now(): number;
  /** Calls back once `ms` have passed; any length (a PR's grace period is up to 30 days). */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The longest wait one Node timer holds: 2^31-1 ms, about 24.8 days. A longer delay is not refused but
 * fires after 1 ms (with a TimeoutOverflowWarning), so a timer re-armed for the same far time spins.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Node's clock. A wait longer than one timer holds is a chain of timers of at most `MAX_TIMER_MS`,
 * one armed per chunk, and the handle clears whichever is armed. A delay that is not a number is 0.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle: { timer?: NodeJS.Timeout } = {};
    const arm = (remaining: number) => {
      const chunk = Math.min(remaining, MAX_TIMER_MS);
      handle.timer = setTimeout(() => (remaining > chunk ? arm(remaining - chunk) : callback()), chunk);
      handle.timer.unref();
    };
    arm(Number.isNaN(ms) ? 0 : Math.max(0, ms));
    return handle;
  },
  clearTimeout: (handle) => clearTimeout((handle as { timer?: NodeJS.Timeout } | undefined)?.timer),
};

/** A due time that is not a time (e.g. from an unparsable date) would be waited for forever, or spun on. */
export function checkRunAt(options: { id: string; runAt: number }): void {
  if (!Number.isFinite(options.runAt))
    throw new RangeError(`job ${options.id}: runAt must be a time, not ${options.runAt}`);
}

/** A job that fails is tried this many times in all (the in-process queue and BullMQ alike). */
export const MAX_TRIES = 3;

/**
 * A job that meets a rate limit waits for its end this many times in its life, each without spending
 * a try; the rate limit after that ends it, as a failure on its last try would.
 */
export const MAX_WAITS = 10;

/** How one run of a job ended: done; failed, tried again later; met a rate limit, runs again at its end (not a try); failed for good. */
export type JobOutcome = "done" | "retry" | "rate-limited" | "failed";

/**
 * How long the work that threw `error` must wait before it runs again, when the error says so: a
 * `retryAfterMs` on it or on one of its causes. GitHub's rate limits carry one (github/octokit-options.ts);
 * the queues then run the job again at that time instead of holding a slot until then.
 */
export function retryAfterOf(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth += 1) {
    const ms = (current as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof ms === "number" && Number.isFinite(ms)) return Math.max(0, ms);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A job while it runs. */
export interface RunningJob {
  /**
   * Replaces the job's data for its later tries. A job calls it once it has done something that must
   * not be done again or forgotten (a re-run requested, versions deleted), so a retry resumes there.
   */
  checkpoint(data: unknown): Promise<void>;
  /** No try follows if this one fails (a rate limit aside: see `mayWait`): what failed should be said where users look. */
  lastTry: boolean;
  /** A rate limit thrown now is waited out: the job runs again at its end, without spending a try. False after `MAX_WAITS`. */
  mayWait: boolean;
}

/** Whether no run follows if this run throws `error`: a rate limit's once the job may wait no more, any other failure's on the last try. */
export function isFinalRun(job: RunningJob, error: unknown): boolean {
  return retryAfterOf(error) === undefined ? job.lastTry : !job.mayWait;
}

export type JobHandler = (data: unknown, job: RunningJob) => Promise<void>;

/**
 * Kinds of job that run in a lane of their own, with their own number of slots, so that slow work
 * (pruning waits a second per deletion) never takes the slots fast work (reports, re-runs) needs.
 */
export type Lanes = Record<string, { kinds: string[]; concurrency: number }>;

/** The lane of a kind of job: its own, or "default". */
export function laneOf(lanes: Lanes, kind: string): string {
  return Object.entries(lanes).find(([, lane]) => lane.kinds.includes(kind))?.[0] ?? "default";
}

/**
 * Work that runs later, outside the webhook request. A job id stands for the work itself (e.g. one
 * run attempt's re-run), so adding it again while it is pending or recently done is a no-op.
 */
export interface JobQueue {
  /** Resolves false when a job with this id is already pending or finished recently. */
  add(kind: string, data: unknown, options: { id: string; runAt: number }): Promise<boolean>;
  handle(kind: string, handler: JobHandler): void;
  /**
   * Runs `kind` on a cron pattern (UTC), or every `everyMs`, once per firing across replicas; optional
   * where a chain of jobs does it.
   */
  every?(kind: string, schedule: string | { everyMs: number }): Promise<void>;
  /** Whether jobs can be taken (and, with Redis, Redis answers). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}
