import type { Logger } from "probot";
import type { PruneConfig } from "../config/schema.js";
import type { RegistryClient } from "../registry/registry-client.js";
import { executePrune, type DeletionOutcome, type ExecuteDependencies } from "./execute-prune.js";
import { declaredLeaves, unreadLeaves } from "./manifest-graph.js";
import { InFlight } from "../util/in-flight.js";
import { ManifestReads } from "./manifest-reads.js";
import type { PackageAccess } from "./package-credentials.js";
import type { PackageVersion, PullState } from "./package-version.js";
import { listVersions, ownerKind } from "./packages-api.js";
import { planPrune, type PrunePlan } from "./plan-prune.js";
import type { PruneScope } from "./tag-rules.js";
import type { WriteLanes } from "./write-lanes.js";

export interface PrunePackageRequest {
  owner: string;
  name: string;
  config: PruneConfig;
  /** The PRs whose tags the versions carry (read after listing, so only those are fetched). */
  pullStates: (versions: PackageVersion[]) => Promise<PullState[]>;
  scope: PruneScope;
  now: number;
  dryRun: boolean;
}

/** Runs work with a credential for the owner's packages (and again with another, if the first is refused). */
export type PackageAccessor = <T>(owner: string, work: (access: PackageAccess) => Promise<T>) => Promise<T>;

export interface PrunePackageDependencies {
  access: PackageAccessor;
  registry: RegistryClient;
  /** ghcr.io, or the GHES container registry. */
  containerRegistry: string;
  lanes: WriteLanes;
  log: Logger;
  /** Whether a failure thrown now ends the job (see `ExecuteDependencies.isFinal`); without a job, every failure is final. */
  isFinal?: ExecuteDependencies["isFinal"];
  /** Told of each deletion that happened, or may have ("unknown": its failure is thrown), with the version's tags. */
  onDeletion?: (version: DeletedVersion, result: "deleted" | "unknown") => void;
  onProgress?: (done: number, total: number) => void;
}

export type DeletedVersion = Pick<PackageVersion, "id" | "digest" | "tags">;

export interface PrunePackageResult {
  versions: PackageVersion[];
  plan: PrunePlan;
  outcomes: DeletionOutcome[];
  manifestReads: number;
  /** Manifests the registry did not serve, and why; the plan keeps whatever they might reference. */
  unreadManifests: { digest: string; reason: string }[];
}

/**
 * Manifest reads in flight at once, to one registry. ghcr.io publishes no limit for authenticated
 * reads; 16 keeps a 25,000-manifest first read of a package within minutes at a cloud round trip
 * (the cache makes every later one free).
 */
const MANIFEST_READS_AT_ONCE = 16;

/** One package: list its versions, read their manifests (cached by digest), plan, and delete unless dry-run. */
export async function prunePackage(
  request: PrunePackageRequest,
  deps: PrunePackageDependencies,
): Promise<PrunePackageResult> {
  return deps.access(request.owner, async (access) => {
    const pkg = { owner: request.owner, ownerKind: await ownerKind(access.octokit, request.owner), name: request.name };
    const path = `${request.owner}/${request.name}`.toLowerCase();
    const before = deps.registry.requests;
    const reads = new ManifestReads(
      (digest) => deps.registry.readManifest(deps.containerRegistry, path, digest),
      MANIFEST_READS_AT_ONCE,
    );
    const manifests = new Map<string, unknown>();
    const unreadManifests: PrunePackageResult["unreadManifests"] = [];
    const read = async (batch: PackageVersion[]) => {
      const results = await Promise.all(batch.map(async (v) => [v.digest, await reads.start(v.digest)] as const));
      for (const [digest, result] of results) {
        if (result.ok) manifests.set(digest, result.manifest);
        else {
          unreadManifests.push({ digest, reason: result.reason });
          deps.log.warn(
            { digest, reason: result.reason },
            "could not read a manifest; the plan keeps what depends on it",
          );
        }
      }
    };
    let versions: PackageVersion[];
    let pullStates: Promise<PullState[]>;
    const inFlight = new InFlight();
    try {
      // Every tagged version's manifest is read whatever the rest of the list holds, so those of a page
      // start as it arrives; which untagged ones to read depends on them all, so those wait for the list.
      versions = await listVersions(access.octokit, pkg, (page) => {
        for (const v of page) if (v.tags.length > 0) void reads.start(v.digest);
      });
      // The PRs' states are read (GitHub's API) while the manifests are (the registry): neither waits for the other.
      pullStates = inFlight.start(request.pullStates(versions));
      // Tagged versions first: the image manifests their indexes declare need no download (each is one on ghcr.io).
      await read(versions.filter((v) => v.tags.length > 0));
      const declared = new Set([...manifests.values()].flatMap(declaredLeaves));
      await read(versions.filter((v) => v.tags.length === 0 && !declared.has(v.digest)));
    } finally {
      // Whether the reads succeeded or threw, nothing started here outlives the job.
      await Promise.all([reads.close(), inFlight.settled()]);
    }
    const knownLeaves = unreadLeaves(manifests);
    const pulls = await pullStates;
    const plan = planPrune({
      versions,
      manifests,
      knownLeaves,
      config: request.config,
      pulls,
      now: request.now,
      scope: request.scope,
    });
    const manifestReads = deps.registry.requests - before;
    if (request.dryRun) return { versions, plan, outcomes: [], manifestReads, unreadManifests };
    const tags = new Map(versions.map((v) => [v.id, v.tags]));
    const onDeletion = deps.onDeletion;
    const outcomes = await executePrune(access, pkg, plan.delete, {
      limiter: deps.lanes.for(access.credential),
      log: deps.log,
      ...(deps.isFinal ? { isFinal: deps.isFinal } : {}),
      ...(onDeletion
        ? {
            onOutcome: (outcome) => {
              if (outcome.result === "deleted" || outcome.result === "gone" || outcome.result === "unknown") {
                onDeletion(
                  { id: outcome.id, digest: outcome.digest, tags: tags.get(outcome.id) ?? [] },
                  outcome.result === "unknown" ? "unknown" : "deleted",
                );
              }
            },
          }
        : {}),
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    });
    return { versions, plan, outcomes, manifestReads, unreadManifests };
  });
}
