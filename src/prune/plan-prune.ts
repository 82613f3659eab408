import type { PruneConfig } from "../config/schema.js";
import { buildManifestGraph, cosignSubject, type Edge, type ManifestGraph } from "./manifest-graph.js";
import type { PackageVersion, PullState } from "./package-version.js";
import { compilePruneRules, type CompiledPruneRules, type PruneScope } from "./tag-rules.js";

export interface PlanEntry {
  id: number;
  digest: string;
  reason: string;
}

/** Why a version stays, in one word for counting; `reason` says it for that version. */
export type KeepWhy =
  | "kept-tag"
  | "promoted"
  | "open-pr"
  | "grace"
  | "unknown-pr"
  | "other-pr"
  | "no-rule"
  | "retention"
  | "unreadable"
  | "referenced";

export interface KeptEntry extends PlanEntry {
  why: KeepWhy;
}

export interface PrunePlan {
  /** Children before their parents: an interrupted prune leaves a broken PR image, never an orphan it cannot find again. */
  delete: PlanEntry[];
  keep: KeptEntry[];
}

export interface PlanInput {
  versions: PackageVersion[];
  /** Raw manifests by digest, as the registry serves them; a missing one counts as unreadable. */
  manifests: ReadonlyMap<string, unknown>;
  /** Digests an index declared as image manifests, left unread: leaves of the graph. */
  knownLeaves?: ReadonlySet<string>;
  config: PruneConfig;
  pulls: PullState[];
  now: number;
  /** A PR's close prunes only that PR's tags; the sweep applies every rule. */
  scope: PruneScope;
}

const DAY = 24 * 3600 * 1000;

type RootDecision = { deletable: true; reason: string } | { deletable: false; reason: string; why: KeepWhy };

/**
 * What to delete from one package, and why every other version stays. Pure. The safety model: a
 * tagged version is deletable only if every tag it carries is transient; nothing reachable from a
 * kept version (index children, attestations, OCI referrers, cosign tags) is deleted, at any depth;
 * when a kept version's manifest cannot be read, what it references is unknown, so nothing is deleted.
 */
export function planPrune(input: PlanInput): PrunePlan {
  const graph = buildManifestGraph(input.versions, input.manifests, input.knownLeaves);
  const rules = compilePruneRules(input.config);
  const pulls = new Map(input.pulls.map((p) => [p.number, p]));
  const facts: TagFacts = { rules, pulls, newest: newestPerRetentionRule(input, rules), input };

  const roots = new Map<string, RootDecision>();
  for (const version of input.versions) {
    const decision = decideRoot(version, graph, facts);
    if (decision) roots.set(version.digest, decision);
  }
  const keptRoots = [...roots].filter(([, d]) => !d.deletable).map(([digest]) => digest);
  const keptBy = reachedFrom(graph, keptRoots);
  const byDigest = new Map(input.versions.map((v) => [v.digest, v]));
  const blind = [...keptBy.keys()].filter((digest) => graph.unreadable.has(digest) && byDigest.has(digest));
  const deletableRoots = [...roots].filter(([, d]) => d.deletable).map(([digest]) => digest);
  const reached = reachedFrom(graph, deletableRoots, keptBy);
  // Blind: every would-be deletion, root or child, is kept and says which unreadable manifest stopped it.
  const skipped = blind[0]
    ? `skipped: the manifest of kept ${label(byDigest.get(blind[0]), blind[0])} could not be read, so what it references is unknown`
    : undefined;
  const deletedBy = skipped ? new Map<string, Reach>() : reached;

  const plan: PrunePlan = { delete: [], keep: [] };
  for (const version of input.versions) {
    const entry = (reason: string) => ({ id: version.id, digest: version.digest, reason });
    const kept = (reason: string, why: KeepWhy) => plan.keep.push({ ...entry(reason), why });
    const root = roots.get(version.digest);
    const deleted = deletedBy.get(version.digest);
    if (deleted) {
      plan.delete.push(
        entry(
          deleted.root === version.digest
            ? (root?.reason ?? "")
            : `${describeEdge(deleted.edge)} of ${label(byDigest.get(deleted.root), deleted.root)}, which is deleted`,
        ),
      );
      continue;
    }
    if (skipped && reached.has(version.digest)) {
      kept(skipped, "unreadable");
      continue;
    }
    if (root?.deletable) {
      kept(`${root.reason}, but a kept image references it`, "referenced");
      continue;
    }
    if (root) {
      kept(root.reason, root.why);
      continue;
    }
    const parent = keptBy.get(version.digest);
    kept(
      parent
        ? `${describeEdge(parent.edge)} of kept ${label(byDigest.get(parent.root), parent.root)}`
        : "referenced only by versions that are not in this package",
      "referenced",
    );
  }
  const height = heightsWithin(graph, new Set(deletedBy.keys()));
  plan.delete.sort((a, b) => (height.get(a.digest) ?? 0) - (height.get(b.digest) ?? 0));
  return plan;
}

/**
 * For each digest of `set`, the longest chain of references below it inside `set`: deleting in
 * ascending order deletes every child before any of its parents, however many roots share it.
 */
function heightsWithin(graph: ManifestGraph, set: Set<string>): Map<string, number> {
  const heights = new Map<string, number>();
  const visiting = new Set<string>();
  const heightOf = (digest: string): number => {
    const known = heights.get(digest);
    if (known !== undefined) return known;
    // A reference cycle cannot come from content addresses; should a registry answer one, it ends here.
    if (visiting.has(digest)) return 0;
    visiting.add(digest);
    let height = 0;
    for (const child of graph.edges.get(digest) ?? [])
      if (set.has(child.digest)) height = Math.max(height, heightOf(child.digest) + 1);
    visiting.delete(digest);
    heights.set(digest, height);
    return height;
  };
  for (const digest of set) heightOf(digest);
  return heights;
}

/** What every tag's verdict is decided from. */
interface TagFacts {
  rules: CompiledPruneRules;
  pulls: Map<number, PullState>;
  /** Per retention rule, the ids it keeps as the newest. */
  newest: Set<number>[];
  input: PlanInput;
}

/** A version's own decision, unless it is part of another (a child, attestation or signature). */
function decideRoot(version: PackageVersion, graph: ManifestGraph, facts: TagFacts): RootDecision | undefined {
  const { input } = facts;
  const tags = version.tags.filter((tag) => !cosignSubject(tag));
  if (tags.length === 0) {
    if (graph.referenced.has(version.digest)) return undefined;
    const window = input.config.untaggedOlderThanDays;
    if (input.scope.kind !== "sweep" || window === null)
      return { deletable: false, reason: "untagged; no rule prunes untagged versions here", why: "no-rule" };
    if (graph.unreadable.has(version.digest))
      return {
        deletable: false,
        reason:
          "skipped: untagged and its manifest could not be read (it may be a signature or attestation of a kept image)",
        why: "unreadable",
      };
    if (input.now - version.updatedAt <= window * DAY)
      return { deletable: false, reason: `untagged, newer than ${window} days`, why: "retention" };
    return { deletable: true, reason: `untagged, older than ${window} days, and nothing references it` };
  }
  const verdicts = tags.map((tag) => ({ tag, ...tagVerdict(tag, version, facts) }));
  const kept = verdicts.filter((v): v is typeof v & { transient: false } => !v.transient);
  const first = kept[0];
  if (!first) return { deletable: true, reason: [...new Set(verdicts.map((v) => v.reason))].join("; ") };
  const transient = verdicts.find((v) => v.transient);
  if (transient)
    return {
      deletable: false,
      reason: `promoted: \`${transient.tag}\` is also tagged \`${first.tag}\` (${first.reason})`,
      why: "promoted",
    };
  return { deletable: false, reason: `\`${first.tag}\`: ${first.reason}`, why: first.why };
}

type TagVerdict = { transient: true; reason: string } | { transient: false; reason: string; why: KeepWhy };

function tagVerdict(tag: string, version: PackageVersion, { rules, pulls, newest, input }: TagFacts): TagVerdict {
  if (rules.keep(tag)) return { transient: false, reason: "a kept tag (`prune.keep`)", why: "kept-tag" };
  const number = rules.pullOf(tag);
  if (number !== undefined) {
    if (input.scope.kind === "pull" && input.scope.number !== number)
      return {
        transient: false,
        reason: `PR #${number}'s tag; this prune is for PR #${input.scope.number}`,
        why: "other-pr",
      };
    const pull = pulls.get(number);
    if (!pull) return { transient: false, reason: `PR #${number}'s state is unknown`, why: "unknown-pr" };
    if (pull.state === "open") return { transient: false, reason: `PR #${number} is open`, why: "open-pr" };
    const graceEnds = (pull.closedAt ?? input.now) + input.config.graceHours * 3600 * 1000;
    if (input.now < graceEnds)
      return {
        transient: false,
        reason: `PR #${number} closed less than ${input.config.graceHours} h ago`,
        why: "grace",
      };
    return { transient: true, reason: `PR #${number} is closed` };
  }
  const ruleIndex = input.scope.kind === "sweep" ? rules.retentionOf(tag) : undefined;
  const rule = ruleIndex === undefined ? undefined : input.config.retention[ruleIndex];
  if (ruleIndex === undefined || !rule)
    return {
      transient: false,
      reason: input.scope.kind === "sweep" ? "no prune rule matches it" : "not a PR tag",
      why: "no-rule",
    };
  const name = rule.tags.map((t) => `\`${t}\``).join(", ");
  if (newest[ruleIndex]?.has(version.id))
    return { transient: false, reason: `one of the ${rule.keepNewest} newest for ${name}`, why: "retention" };
  const at = rule.by === "created" ? version.createdAt : version.updatedAt;
  if (input.now - at <= rule.olderThanDays * DAY)
    return { transient: false, reason: `${name}: newer than ${rule.olderThanDays} days`, why: "retention" };
  return { transient: true, reason: `${name}: older than ${rule.olderThanDays} days` };
}

/** For each retention rule with `keepNewest`, the ids of the newest versions carrying a tag it governs. */
function newestPerRetentionRule(input: PlanInput, rules: CompiledPruneRules): Set<number>[] {
  return input.config.retention.map((rule, index) => {
    if (rule.keepNewest === 0) return new Set<number>();
    const matching = input.versions.filter((v) =>
      v.tags.some((tag) => !rules.keep(tag) && rules.pullOf(tag) === undefined && rules.retentionOf(tag) === index),
    );
    const at = (v: PackageVersion) => (rule.by === "created" ? v.createdAt : v.updatedAt);
    return new Set(
      matching
        .sort((a, b) => at(b) - at(a) || b.id - a.id)
        .slice(0, rule.keepNewest)
        .map((v) => v.id),
    );
  });
}

interface Reach {
  root: string;
  edge: Edge | undefined;
}

/** Each digest reachable from the roots, with the root that reaches it first and the last link; `stop` digests are not entered. */
function reachedFrom(graph: ManifestGraph, roots: string[], stop?: Map<string, Reach>): Map<string, Reach> {
  const reached = new Map<string, Reach>();
  for (const root of roots) {
    const stack: { digest: string; edge: Edge | undefined }[] = [{ digest: root, edge: undefined }];
    while (stack.length > 0) {
      const { digest, edge } = stack.pop() as { digest: string; edge: Edge | undefined };
      if (stop?.has(digest) || reached.has(digest)) continue;
      reached.set(digest, { root, edge });
      for (const child of graph.edges.get(digest) ?? []) stack.push({ digest: child.digest, edge: child });
    }
  }
  return reached;
}

function describeEdge(edge: Edge | undefined): string {
  if (!edge) return "part";
  switch (edge.kind) {
    case "platform":
      return `the ${edge.platform ?? "platform"} image`;
    case "attestation":
      return "the build attestation";
    case "manifest":
      return "a child manifest";
    case "referrer":
      return "an OCI referrer (signature, SBOM or attestation)";
    case "signature":
      return "a cosign signature or attestation";
  }
}

function label(version: PackageVersion | undefined, digest: string): string {
  const tag = version?.tags.find((t) => !cosignSubject(t));
  return tag ? `\`${tag}\`` : `\`${digest.slice(0, 19)}\``;
}
