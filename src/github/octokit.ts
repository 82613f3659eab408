import type { ProbotOctokit } from "probot";
import { isInfrastructureError } from "../util/infrastructure-error.js";

/** The installation-authenticated Octokit Probot hands each event. */
export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

/** The HTTP status of an Octokit error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * An error a later try may not meet: a 5xx (Octokit reports a lost connection as 500 too), a rate
 * limit, a network failure of a plain `fetch`, or Redis or a limiter failing under the request
 * (`isInfrastructureError`). Work that meets one is retried by its queue rather than reported as a
 * lasting problem; anything else (a 404, a refusal, a parse error) is lasting.
 */
export function isTransientError(error: unknown): boolean {
  const status = statusOf(error);
  if (status === undefined) return isNetworkError(error) || isInfrastructureError(error);
  if (status >= 500 || status === 429) return true;
  if (status !== 403) return false;
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
  const message = error instanceof Error ? error.message : "";
  return (
    headers["retry-after"] !== undefined || headers["x-ratelimit-remaining"] === "0" || /rate limit/i.test(message)
  );
}

/** GitHub's advice when a rate limit names no time: wait a minute. */
const RATE_LIMIT_FALLBACK_MS = 60_000;
/** The primary limit's window: no rate limit is waited for longer. */
const RATE_LIMIT_MAX_MS = 3_600_000;

/**
 * How long GitHub asks to wait after this answer, when it is a rate limit (a 403 or 429 that
 * `isTransientError` calls one), as GitHub's docs say: `retry-after` seconds; else, when no requests
 * remain, until `x-ratelimit-reset` and a second, measured from the answer's `date` (GitHub's clock, so
 * skew between the clocks does not count); else a minute. Undefined for any other answer.
 */
export function rateLimitDelay(error: unknown, now = Date.now()): number | undefined {
  const status = statusOf(error);
  if ((status !== 403 && status !== 429) || !isTransientError(error)) return undefined;
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"] ?? Number.NaN);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(retryAfter * 1000, RATE_LIMIT_MAX_MS);
  const reset = Number(headers["x-ratelimit-reset"] ?? Number.NaN);
  if (headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset)) {
    const answered = Date.parse(headers.date ?? "");
    const wait = reset * 1000 - (Number.isFinite(answered) ? answered : now) + 1000;
    return Math.min(Math.max(wait, 0), RATE_LIMIT_MAX_MS);
  }
  return RATE_LIMIT_FALLBACK_MS;
}

/** `fetch` rejects with a TypeError ("fetch failed", the socket error as its cause) or a timeout's abort. */
function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === "TimeoutError" ||
    error.name === "AbortError" ||
    (error instanceof TypeError && /fetch failed|terminated/i.test(error.message))
  );
}
