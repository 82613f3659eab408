import type { Logger } from "probot";
import { statusOf } from "../github/octokit.js";
import { CredentialRefusedError, isRateLimit, isRefusal, type PackageAccess } from "./package-credentials.js";
import { deleteVersion, type PackageRef } from "./packages-api.js";
import type { PlanEntry } from "./plan-prune.js";
import type { WriteLane } from "./write-lanes.js";

export interface DeletionOutcome {
  id: number;
  digest: string;
  reason: string;
  /** deleted; gone (already deleted); refused (GitHub's final 400); failed (gave up). */
  result: "deleted" | "gone" | "refused" | "failed";
  detail?: string;
}

export interface ExecuteDependencies {
  /** The credential's write lane: one request at a time, at least a second apart. */
  limiter: WriteLane;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  log: Logger;
  onProgress?: (done: number, total: number) => void;
}

const MAX_TRIES = 5;

/**
 * Deletes the plan's versions, children first, through the credential's write lane. Rate limits wait
 * as GitHub says (`retry-after`, else `x-ratelimit-reset`, else a minute); a 404 is "already gone";
 * GitHub's 400 refusals (popular public versions, the last version) are final; 5xx back off.
 */
export async function executePrune(access: PackageAccess, pkg: PackageRef, entries: PlanEntry[], deps: ExecuteDependencies): Promise<DeletionOutcome[]> {
  const outcomes: DeletionOutcome[] = [];
  for (const entry of entries) {
    const outcome = await deleteOne(access, pkg, entry, deps);
    deps.log.info({ package: `${pkg.owner}/${pkg.name}`, versionId: entry.id, digest: entry.digest, result: outcome.result, detail: outcome.detail, reason: entry.reason }, "prune");
    outcomes.push(outcome);
    deps.onProgress?.(outcomes.length, entries.length);
  }
  return outcomes;
}

async function deleteOne(access: PackageAccess, pkg: PackageRef, entry: PlanEntry, deps: ExecuteDependencies): Promise<DeletionOutcome> {
  const installation = access.credential.startsWith("installation:");
  for (let tries = 1; ; tries += 1) {
    try {
      await deps.limiter.schedule(() => deleteVersion(access.octokit, pkg, entry.id));
      return { ...entry, result: "deleted" };
    } catch (error) {
      const status = statusOf(error);
      const message = error instanceof Error ? error.message : String(error);
      if (isRateLimit(error)) {
        if (tries >= MAX_TRIES) return { ...entry, result: "failed", detail: `still rate-limited after ${tries} tries` };
        await deps.sleep(rateLimitWait(error, deps.now()));
        continue;
      }
      // An installation token may list but not delete; the caller retries everything with the configured token.
      if (installation && isRefusal(error)) throw new CredentialRefusedError(`HTTP ${status}: ${message}`);
      if (status === 404) return { ...entry, result: "gone" };
      if (status === 400) return { ...entry, result: "refused", detail: message };
      if (status !== undefined && status < 500) throw new Error(`the Packages API answered HTTP ${status} deleting version ${entry.id}: ${message}`, { cause: error });
      if (tries >= MAX_TRIES) return { ...entry, result: "failed", detail: `HTTP ${status ?? "error"}: ${message}` };
      await deps.sleep(1000 * 2 ** tries);
    }
  }
}

/** How long GitHub asks to wait: `retry-after` seconds, else until `x-ratelimit-reset`, else a minute. */
export function rateLimitWait(error: unknown, now: number): number {
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
  const reset = Number(headers["x-ratelimit-reset"]);
  if (Number.isFinite(reset) && reset * 1000 > now) return reset * 1000 - now;
  return 60_000;
}
