import type { Octokit } from "./octokit.js";

/**
 * Gives every request of this Octokit a deadline. Octokit has none of its own, so a connection that
 * GitHub never answers would hold a worker's slot for good; aborted, it is an error (status 500) that
 * the job's retry carries. The deadline is set in `fetch`, so that a read Octokit sends again
 * (github/octokit-options.ts) gets a fresh one.
 */
export function withRequestTimeout<T extends Octokit>(octokit: T, timeoutMs: number): T {
  octokit.hook.before("request", (options) => {
    const inner: typeof fetch = (options.request?.fetch as typeof fetch | undefined) ?? fetch;
    const timed: typeof fetch = (input, init) => {
      const deadline = AbortSignal.timeout(timeoutMs);
      return inner(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
    };
    options.request = { ...options.request, fetch: timed };
  });
  return octokit;
}
