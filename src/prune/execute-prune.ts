import type { Logger } from "probot";
import { isTransientError, statusOf } from "../github/octokit.js";
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
  log: Logger;
  /**
   * Whether a transient failure (5xx, lost, timeout, rate limit) thrown now would end the job, so the
   * version is reported failed instead; otherwise it is thrown and the job runs again (at the rate
   * limit's end, or after its backoff). Without a job to run again (the CLI), every failure is final.
   */
  isFinal?: (error: unknown) => boolean;
  /**
   * Told of each version's outcome as it happens, and of each deletion whose transient failure is left
   * to the job's next run ("unknown": GitHub may have carried it out before it failed, or its answer
   * was lost), so that a job stopped midway can still say what it deleted: a deleted version no longer lists.
   */
  onOutcome?: (outcome: DeletionOutcome | Unsettled) => void;
  onProgress?: (done: number, total: number) => void;
}

type Unsettled = PlanEntry & { result: "unknown" };

/**
 * Deletes the plan's versions, children first, through the credential's write lane, each sent once:
 * a 404 is "already gone"; GitHub's 400 refusals (popular public versions, the last version) are
 * final. A transient failure is the job's: on its final run the version is reported failed; before,
 * the job runs again: at once after a rate limit (at its end; later deletions would meet it too), or
 * after the others were tried, for a 5xx or a lost answer (one version GitHub fails does not hold up the rest).
 */
export async function executePrune(
  access: PackageAccess,
  pkg: PackageRef,
  entries: PlanEntry[],
  deps: ExecuteDependencies,
): Promise<DeletionOutcome[]> {
  const outcomes: DeletionOutcome[] = [];
  let retry: unknown;
  for (const entry of entries) {
    const outcome = await deleteOne(access, pkg, entry, deps);
    deps.log.info(
      {
        package: `${pkg.owner}/${pkg.name}`,
        versionId: entry.id,
        digest: entry.digest,
        result: outcome.result,
        detail: outcome.detail,
        reason: entry.reason,
      },
      "prune",
    );
    deps.onOutcome?.(outcome);
    if (outcome.result === "unknown") {
      if (isRateLimit(outcome.error)) throw outcome.error;
      retry ??= outcome.error;
      continue;
    }
    outcomes.push(outcome);
    deps.onProgress?.(outcomes.length, entries.length);
  }
  if (retry !== undefined) throw retry;
  return outcomes;
}

async function deleteOne(
  access: PackageAccess,
  pkg: PackageRef,
  entry: PlanEntry,
  deps: ExecuteDependencies,
): Promise<DeletionOutcome | (Unsettled & { error: unknown; detail: string })> {
  try {
    await deps.limiter.schedule(() => deleteVersion(access.octokit, pkg, entry.id));
    return { ...entry, result: "deleted" };
  } catch (error) {
    const status = statusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (isTransientError(error)) {
      const detail = isRateLimit(error) ? `rate-limited: ${message}` : `HTTP ${status ?? "error"}: ${message}`;
      return (deps.isFinal?.(error) ?? true)
        ? { ...entry, result: "failed", detail }
        : { ...entry, result: "unknown", error, detail };
    }
    // An installation token may list but not delete; the caller retries everything with the configured token.
    if (access.credential.startsWith("installation:") && isRefusal(error))
      throw new CredentialRefusedError(`HTTP ${status}: ${message}`);
    if (status === 404) return { ...entry, result: "gone" };
    if (status === 400) return { ...entry, result: "refused", detail: message };
    throw new Error(`the Packages API answered HTTP ${status ?? "error"} deleting version ${entry.id}: ${message}`, {
      cause: error,
    });
  }
}
