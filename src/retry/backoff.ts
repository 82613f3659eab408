import type { RetryConfig } from "../config/schema.js";

/**
 * Seconds to wait before re-running attempt `attempt` (1-based): between half and all of
 * `initialSeconds × 2^(attempt-1)`, capped at `maxSeconds`; at least `rateLimitSeconds` after a
 * rate limit. `fraction` (0–1) picks the point in the jitter range, so callers decide the randomness.
 */
export function retryDelaySeconds(
  attempt: number,
  backoff: RetryConfig["backoff"],
  wait: "normal" | "long",
  fraction: number,
): number {
  const ceiling = Math.min(backoff.maxSeconds, backoff.initialSeconds * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(ceiling / 2 + (ceiling / 2) * Math.min(1, Math.max(0, fraction)));
  return wait === "long" ? Math.max(backoff.rateLimitSeconds, jittered) : jittered;
}
