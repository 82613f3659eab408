import { setTimeout as sleep } from "node:timers/promises";
import Bottleneck from "bottleneck";
import { ProbotOctokit, type Logger } from "probot";
import { isTransientError, rateLimitDelay } from "./octokit.js";

/**
 * How many times Octokit sends one request at most: a read (GET, HEAD) twice, once more after GitHub
 * failed it (5xx) or did not answer it (lost, past its deadline), or Redis failed under its limiter;
 * a write once. Whether a write is sent
 * again is the job's to decide, from what it has checkpointed; a rate limit is never waited out here.
 */
export const OCTOKIT_SENDS = { read: 2, write: 1 } as const;

/** A failed read is sent again this soon: a moment's failure, not an outage, is what it is for. */
export const READ_RESEND_DELAY_MS = 500;

type Plugin = Parameters<typeof ProbotOctokit.plugin>[0];
type ThrottleOptions = {
  Bottleneck?: typeof Bottleneck;
  connection?: Bottleneck.IORedisConnection | Bottleneck.RedisConnection;
} & Record<string, unknown>;

/**
 * Dockhand's one retry policy at the request: a read that failed transiently (not a rate limit) is
 * sent once more; nothing else is. A rate limit's answer is thrown carrying `retryAfterMs` (GitHub's
 * `retry-after`, else the reset, else a minute), which the queues honour by running the job again
 * then (queue/job-queue.ts `retryAfterOf`), so no request holds a worker's slot until a limit ends.
 */
const requestPolicy: Plugin = (octokit) => {
  octokit.hook.wrap("request", async (request, options) => {
    const sends = options.method === "GET" || options.method === "HEAD" ? OCTOKIT_SENDS.read : OCTOKIT_SENDS.write;
    for (let sent = 1; ; sent += 1) {
      try {
        return await request(options);
      } catch (error) {
        const retryAfterMs = rateLimitDelay(error);
        if (retryAfterMs !== undefined) throw Object.assign(error as object, { retryAfterMs });
        if (sent >= sends || !isTransientError(error)) throw error;
        (octokit.log as unknown as Logger).debug(
          { err: error, method: options.method, url: options.url },
          "GitHub failed a read; sending it once more",
        );
        await sleep(READ_RESEND_DELAY_MS);
      }
    }
  });
  return {};
};

/**
 * Writes are spaced per installation (or token) in every process, and across replicas with Redis: one
 * limiter pair per place and interval. An interval of 0 turns the pacing off: writes neither spaced nor one at a time.
 */
const pacing = new WeakMap<object, Map<number, { write: Bottleneck.Group; notifications: Bottleneck.Group }>>();
const IN_PROCESS = {};

function paceGroups(intervalMs: number, throttle: ThrottleOptions) {
  const place = throttle.connection ?? IN_PROCESS;
  const byInterval =
    pacing.get(place) ?? new Map<number, { write: Bottleneck.Group; notifications: Bottleneck.Group }>();
  pacing.set(place, byInterval);
  let groups = byInterval.get(intervalMs);
  if (!groups) {
    const Limiter = throttle.Bottleneck ?? Bottleneck;
    // The throttling plugin's own groups and ids (so replicas of an earlier release pace with these), at Dockhand's interval.
    const common = {
      maxConcurrent: intervalMs > 0 ? 1 : null,
      timeout: 120_000,
      ...(throttle.connection ? { connection: throttle.connection } : {}),
    };
    groups = {
      write: new Limiter.Group({ id: "octokit-write", minTime: intervalMs, ...common }),
      notifications: new Limiter.Group({ id: "octokit-notifications", minTime: intervalMs * 3, ...common }),
    };
    byInterval.set(intervalMs, groups);
  }
  return groups;
}

/** The throttling plugin tells of a rate limit; returning false gives the answer back to the caller instead of waiting. */
function surface(kind: string) {
  return (retryAfter: number, options: { method: string; url: string }, octokit: { log: unknown }) => {
    (octokit.log as Logger).warn(
      { method: options.method, url: options.url, retryAfterSeconds: retryAfter },
      `GitHub ${kind}; the job runs again when it ends`,
    );
    return false;
  };
}

/**
 * The Octokit class every Dockhand process runs (src/main.ts's Probot) and every test and script
 * builds Probot with, so tests run what ships. Probot's Octokit with:
 * - its retry plugin off (it re-sends writes too, up to three times) and `requestPolicy` instead;
 * - its throttling plugin kept for pacing: one installation's writes one at a time and
 *   `githubWriteIntervalMs` apart (GitHub asks for a second), new comments three times that, at most
 *   ten requests at once, clustered on Redis when Probot is given REDIS_URL; but a rate limit is never
 *   waited out by it.
 */
export function dockhandOctokit(settings: { githubWriteIntervalMs: number }): typeof ProbotOctokit {
  return ProbotOctokit.plugin(requestPolicy).defaults((options: Record<string, unknown>) => {
    const throttle = (options.throttle ?? {}) as ThrottleOptions;
    return {
      ...options,
      retry: { enabled: false },
      throttle: {
        ...throttle,
        enabled: true,
        onRateLimit: surface("rate limit"),
        onSecondaryRateLimit: surface("secondary rate limit"),
        ...paceGroups(settings.githubWriteIntervalMs, throttle),
      },
    };
  }) as unknown as typeof ProbotOctokit;
}
