import type { Logger } from "probot";
import type { PruneConfig } from "../config/schema.js";
import { isTransientError, type Octokit } from "../github/octokit.js";
import { NoPackageCredentialError, type PackageCredentials } from "./package-credentials.js";
import type { PackageVersion, PullState } from "./package-version.js";
import { prunePackage, type DeletedVersion, type PrunePackageDependencies } from "./prune-package.js";
import type { PackageProgress, PackageRecord } from "./prune-record.js";
import type { PruneScope } from "./tag-rules.js";

export interface PruneRepositoryDependencies extends Omit<
  PrunePackageDependencies,
  "log" | "onProgress" | "access" | "isFinal" | "onDeletion"
> {
  /** The job's clock: what a PR prune or a sweep counts its windows from. */
  clockNow: () => number;
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
  /** How far an earlier run got with the package it did not finish. */
  current?: PackageProgress | undefined;
  /** Keeps the finished packages' records, and the current package's progress, with the job. */
  checkpoint: (finished: PackageRecord[], current?: PackageProgress) => Promise<void>;
  /** Whether no run follows if this one throws `error`: a transient failure is then the package's reported problem; before, it is thrown. */
  isFinal: (error: unknown) => boolean;
}

/**
 * Prunes each of the repository's packages (`prune.packages`, default the repository's name) and says
 * what happened to each. Each finished package is checkpointed, and so are the deletions of the one a
 * run stops in (a rate limit, GitHub failing): deleted versions no longer list, so a later run could
 * not tell what this job deleted.
 */
export async function pruneRepositoryPackages(
  request: PruneRepositoryRequest,
  deps: PruneRepositoryDependencies,
): Promise<PackageRecord[]> {
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
    const earlierRun = request.job.current?.name === name ? request.job.current : undefined;
    const deleted: DeletedVersion[] = [...(earlierRun?.deleted ?? [])];
    const unknown: DeletedVersion[] = [...(earlierRun?.unknown ?? [])];
    try {
      const result = await prunePackage(
        {
          owner: request.owner,
          name,
          config: request.config,
          pullStates: request.pullStates,
          scope: request.scope,
          now: request.now,
          dryRun,
        },
        {
          ...deps,
          log,
          access: (owner, work) => deps.credentials.use(owner, request.installation, work),
          isFinal: request.job.isFinal,
          onDeletion: (version, result) => (result === "deleted" ? deleted : unknown).push(version),
        },
      );
      const tags = new Map(result.versions.map((v) => [v.id, v.tags]));
      // A deletion an earlier run could not confirm happened if the version no longer lists.
      const listed = new Set(result.versions.map((v) => v.id));
      const confirmed = [
        ...new Map([...deleted, ...unknown.filter((v) => !listed.has(v.id))].map((v) => [v.id, v])).values(),
      ];
      await finish({
        name,
        deleted: dryRun
          ? result.plan.delete.map((d) => ({ id: d.id, digest: d.digest, tags: tags.get(d.id) ?? [] }))
          : confirmed,
        refused: result.outcomes
          .filter((o) => o.result === "refused")
          .map((o) => ({ id: o.id, digest: o.digest, detail: o.detail ?? "" })),
        failed: result.outcomes.filter((o) => o.result === "failed").length,
        kept: result.plan.keep.length,
      });
    } catch (error) {
      if (error instanceof NoPackageCredentialError) {
        await finish({ name, deleted: [], refused: [], failed: 0, kept: 0, problem: { code: "no-credential" } });
        continue;
      }
      if (isTransientError(error) && !request.job.isFinal(error)) {
        if (deleted.length > 0 || unknown.length > 0)
          await request.job.checkpoint([...records], { name, deleted, unknown });
        throw error;
      }
      log.error({ err: error }, "prune failed");
      const message = error instanceof Error ? error.message : String(error);
      await finish({ name, deleted, refused: [], failed: 0, kept: 0, problem: { code: "failed", detail: message } });
    }
  }
  return records;
}
