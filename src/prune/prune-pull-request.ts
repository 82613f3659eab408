import type { Logger } from "probot";
import { loadConfig } from "../config/load-config.js";
import type { Octokit } from "../github/octokit.js";
import { NoPackageCredentialError, type PackageCredentials } from "./package-credentials.js";
import { prunePackage, type PrunePackageDependencies } from "./prune-package.js";
import type { PrunePullJob } from "./prune-pull-job.js";
import type { PackageRecord, PruneRecord } from "./prune-record.js";

export interface PrunePullDependencies extends Omit<PrunePackageDependencies, "log" | "onProgress" | "access"> {
  octokitFor: (installationId: number) => Promise<Octokit>;
  credentials: PackageCredentials;
  /** Writes the record into the PR comment; `create` when there was something to say and no comment yet. */
  record: (octokit: Octokit, job: PrunePullJob, record: PruneRecord, create: boolean) => Promise<void>;
  log: Logger;
}

/**
 * The scheduled half of PR-close pruning: if the PR is still closed (the same close), prune each
 * configured package of that PR's tags, and record what was deleted in the PR comment.
 */
export async function prunePullRequest(job: PrunePullJob, deps: PrunePullDependencies): Promise<void> {
  const log = deps.log.child({ repository: `${job.owner}/${job.repo}`, pull: job.number });
  const octokit = await deps.octokitFor(job.installationId);
  const repo = { owner: job.owner, repo: job.repo };
  const { data: pull } = await octokit.rest.pulls.get({ ...repo, pull_number: job.number });
  const now = deps.clockNow();
  if (pull.state === "open") {
    log.info("PR reopened; prune cancelled");
    await deps.record(octokit, job, { status: "cancelled", at: new Date(now).toISOString(), owner: job.owner, registry: deps.containerRegistry, packages: [] }, false);
    return;
  }
  if (pull.closed_at !== job.closedAt) {
    log.info("PR closed again since; that close has its own prune");
    return;
  }
  const loaded = await loadConfig(octokit, repo);
  if (!loaded.ok) {
    log.error({ problems: loaded.problems }, "invalid .github/dockhand.yml; not pruning");
    return;
  }
  const config = loaded.config.prune;
  if (config.mode === "off") return;
  const names = config.packages.length > 0 ? config.packages : [job.repo];
  const packages: PackageRecord[] = [];
  for (const name of names) {
    try {
      const result = await prunePackage(
        {
          owner: job.owner,
          name,
          config,
          pullStates: () => Promise.resolve([{ number: job.number, state: "closed", closedAt: Date.parse(job.closedAt) }]),
          scope: { kind: "pull", number: job.number },
          now,
          dryRun: config.mode === "dry-run",
        },
        { ...deps, log, access: (owner, work) => deps.credentials.use(owner, { id: job.installationId, octokit }, work) },
      );
      const tags = new Map(result.versions.map((v) => [v.id, v.tags]));
      const deleted = config.mode === "dry-run" ? result.plan.delete : result.outcomes.filter((o) => o.result === "deleted" || o.result === "gone");
      packages.push({
        name,
        deleted: deleted.map((d) => ({ id: d.id, digest: d.digest, tags: tags.get(d.id) ?? [] })),
        refused: result.outcomes.filter((o) => o.result === "refused").map((o) => ({ id: o.id, digest: o.digest, detail: o.detail ?? "" })),
        failed: result.outcomes.filter((o) => o.result === "failed").length,
        kept: result.plan.keep.length,
      });
    } catch (error) {
      if (error instanceof NoPackageCredentialError) {
        packages.push({ name, deleted: [], refused: [], failed: 0, kept: 0, problem: error.message });
        continue;
      }
      log.error({ err: error, package: name }, "prune failed");
      packages.push({ name, deleted: [], refused: [], failed: 0, kept: 0, problem: `GitHub or the registry failed: ${error instanceof Error ? error.message : String(error)}. The next sweep tries again.` });
    }
  }
  const record: PruneRecord = { status: config.mode === "dry-run" ? "dry-run" : "done", at: new Date(now).toISOString(), owner: job.owner, registry: deps.containerRegistry, packages };
  await deps.record(octokit, job, record, packages.some((p) => p.deleted.length > 0 || p.problem));
}
