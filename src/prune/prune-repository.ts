import type { Logger } from "probot";
import type { PruneConfig } from "../config/schema.js";
import { isTransientError, type Octokit } from "../github/octokit.js";
import { NoPackageCredentialError, type PackageCredentials } from "./package-credentials.js";
import type { PackageVersion, PullState } from "./package-version.js";
import { prunePackage, type PrunePackageDependencies } from "./prune-package.js";
import type { PackageRecord } from "./prune-record.js";
import type { PruneScope } from "./tag-rules.js";

export interface PruneRepositoryDependencies extends Omit<PrunePackageDependencies, "log" | "onProgress" | "access"> {
  octokitFor: (installationId: number) => Promise<Octokit>;
  credentials: PackageCredentials;
  log: Logger;
}

export interface PruneRepositoryRequest {
  installation: { id: number; octokit: Octokit };
  owner: string;
  repo: string;
  config: PruneConfig;
  scope: PruneScope;
  pullStates: (versions: PackageVersion[]) => Promise<PullState[]>;
  now: number;
  /** The job that prunes, so that a retry resumes after the packages an earlier try finished. */
  job: PruneJobProgress;
}

export interface PruneJobProgress {
  /** Packages an earlier try finished; not pruned again. */
  finished: PackageRecord[];
  /** Keeps the finished packages' records with the job. */
  checkpoint: (finished: PackageRecord[]) => Promise<void>;
  /** A transient failure then becomes the package's reported problem; before, it throws and the job is tried again. */
  lastTry: boolean;
}

/**
 * Prunes each of the repository's packages (`prune.packages`, default the repository's name) and says
 * what happened to each. Each finished package is checkpointed: deleted versions no longer list, so a
 * retry could not tell what this job deleted.
 */
export async function pruneRepositoryPackages(request: PruneRepositoryRequest, deps: PruneRepositoryDependencies): Promise<PackageRecord[]> {
  const names = request.config.packages.length > 0 ? request.config.packages : [request.repo];
  const dryRun = request.config.mode === "dry-run";
  const records: PackageRecord[] = [];
  const finish = async (record: PackageRecord) => {
    records.push(record);
    await request.job.checkpoint([...records]);
  };
  for (const name of names) {
    const earlier = request.job.finished.find((r) => r.name === name);
    if (earlier) {
      records.push(earlier);
      continue;
    }
    const log = deps.log.child({ package: `${request.owner}/${name}` });
    try {
      const result = await prunePackage(
        { owner: request.owner, name, config: request.config, pullStates: request.pullStates, scope: request.scope, now: request.now, dryRun },
        { ...deps, log, access: (owner, work) => deps.credentials.use(owner, request.installation, work) },
      );
      const tags = new Map(result.versions.map((v) => [v.id, v.tags]));
      const deleted = dryRun ? result.plan.delete : result.outcomes.filter((o) => o.result === "deleted" || o.result === "gone");
      await finish({
        name,
        deleted: deleted.map((d) => ({ id: d.id, digest: d.digest, tags: tags.get(d.id) ?? [] })),
        refused: result.outcomes.filter((o) => o.result === "refused").map((o) => ({ id: o.id, digest: o.digest, detail: o.detail ?? "" })),
        failed: result.outcomes.filter((o) => o.result === "failed").length,
        kept: result.plan.keep.length,
      });
    } catch (error) {
      if (error instanceof NoPackageCredentialError) {
        await finish({ name, deleted: [], refused: [], failed: 0, kept: 0, problem: { code: "no-credential" } });
        continue;
      }
      if (isTransientError(error) && !request.job.lastTry) throw error;
      log.error({ err: error }, "prune failed");
      const message = error instanceof Error ? error.message : String(error);
      await finish({ name, deleted: [], refused: [], failed: 0, kept: 0, problem: { code: "failed", detail: message } });
    }
  }
  return records;
}
