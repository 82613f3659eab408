import type { ReportConfig } from "../config/schema.js";
import type { ManifestLookup } from "../registry/registry-client.js";
import type { PushedImage } from "./parse-pushed-images.js";
import { renderImage, renderTag, templatePatternAnySha, type TemplateVars } from "./render-template.js";
import type {
  ArtifactReport,
  ExpectedTagReport,
  ImageCheck,
  ImageReport,
  ReportNote,
  RunReport,
} from "./run-report.js";
import { globsMatcher } from "../util/glob.js";

export type RunOrigin = RunReport["origin"];

export interface RunFacts {
  workflowKey: string;
  workflowName: string;
  runId: number;
  runNumber: number;
  attempt: number;
  runUrl: string;
  event: string;
  conclusion: string | null;
  headSha: string;
  completedAt: string;
  origin: RunOrigin;
}

export interface JobImages {
  job: string;
  images: PushedImage[];
}

export interface RawArtifact {
  id: number;
  name: string;
  size_in_bytes: number;
  digest?: string | null;
  expired: boolean;
  expires_at: string | null;
}

export interface ExpectedTargets {
  targets: { repository: string; tag: string; template: string }[];
  invalidTemplates: string[];
}

/** The `repository:tag` key lookups are stored under. */
export function lookupKey(repository: string, tag: string): string {
  return `${repository}:${tag}`;
}

/**
 * Which `repository:tag` pairs the config expects for this PR: each expected-tag template on each
 * configured image (or, with none configured, each repository the run pushed to).
 */
export function expectedTargets(config: ReportConfig, vars: TemplateVars, pushed: PushedImage[]): ExpectedTargets {
  const repositories =
    config.images.length > 0
      ? config.images.map((template) => renderImage(template, vars))
      : [...new Set(pushed.map((image) => `${image.host}/${image.path}`))];
  const targets: ExpectedTargets["targets"] = [];
  const invalidTemplates: string[] = [];
  for (const template of config.expectedTags) {
    const tag = renderTag(template, vars);
    if (!tag) {
      invalidTemplates.push(template);
      continue;
    }
    for (const repository of repositories) targets.push({ repository, tag, template });
  }
  return { targets, invalidTemplates };
}

export interface RunReportInput {
  facts: RunFacts;
  config: ReportConfig;
  vars: TemplateVars;
  jobImages: JobImages[];
  expected: ExpectedTargets;
  lookups: ReadonlyMap<string, ManifestLookup>;
  /** Tags left without a lookup for `report.maxImageChecks`. */
  unchecked: number;
  artifacts: RawArtifact[] | undefined;
  /** Artifacts past those listed (see report/read-run-outputs.ts), counted in the comment. */
  artifactsOmitted?: number;
  artifactUrl: (id: number) => string;
  /** `truncated`: jobs whose logs were read only in their last part. */
  logs: { read: number; failed: string[]; skipped: number; truncated: string[] };
}

export function buildRunReport(input: RunReportInput): RunReport {
  const { facts, config, vars, lookups } = input;
  const images: ImageReport[] = input.jobImages.flatMap(({ job, images: pushed }) =>
    pushed.map((image) => {
      const repository = `${image.host}/${image.path}`;
      const lookup = lookups.get(lookupKey(repository, image.tag));
      const { check, digest } = checkImage(image.digest, lookup);
      return { repository, tag: image.tag, ...(digest ? { digest } : {}), via: image.via, job, check };
    }),
  );
  const pushedTags = new Set(images.map((image) => lookupKey(image.repository, image.tag)));
  const expectedTags: ExpectedTagReport[] = input.expected.targets.map((target) => {
    const key = lookupKey(target.repository, target.tag);
    const found = pushedTags.has(key) || lookups.get(key)?.status === "found";
    const pattern = templatePatternAnySha(target.template, vars);
    const otherShaTag = found
      ? undefined
      : images.find((image) => image.repository === target.repository && pattern.test(image.tag))?.tag;
    return { repository: target.repository, tag: target.tag, found, ...(otherShaTag ? { otherShaTag } : {}) };
  });
  const isImageArtifact = globsMatcher(config.imageArtifacts, { nocase: true });
  const artifacts: ArtifactReport[] = (input.artifacts ?? []).map((a) => ({
    id: a.id,
    name: a.name,
    sizeInBytes: a.size_in_bytes,
    digest: a.digest ?? null,
    expiresAt: a.expires_at,
    expired: a.expired,
    url: input.artifactUrl(a.id),
    holdsImage: isImageArtifact(a.name),
  }));
  return {
    ...facts,
    images,
    expectedTags,
    artifacts,
    ...(input.artifactsOmitted ? { omitted: { images: 0, artifacts: input.artifactsOmitted } } : {}),
    notes: notesFor(input, images),
  };
}

/** A run with the report switched off: only what the retry section needs to stand on. */
export function emptyRunReport(facts: RunFacts): RunReport {
  return { ...facts, images: [], expectedTags: [], artifacts: [], notes: [] };
}

function checkImage(
  logged: string | undefined,
  lookup: ManifestLookup | undefined,
): { check: ImageCheck; digest?: string } {
  if (!lookup) return { check: { status: "unreachable", reason: "not looked up" }, digest: logged };
  switch (lookup.status) {
    case "found":
      if (!logged)
        return {
          check: { status: "resolved", platforms: lookup.platforms, attestations: lookup.attestations },
          digest: lookup.digest,
        };
      if (lookup.digest === logged)
        return {
          check: { status: "verified", platforms: lookup.platforms, attestations: lookup.attestations },
          digest: logged,
        };
      return {
        check: { status: "mismatch", registryDigest: lookup.digest, platforms: lookup.platforms },
        digest: logged,
      };
    case "missing":
      return { check: { status: "missing" }, digest: logged };
    case "not-allowed":
      return { check: { status: "not-allowed" }, digest: logged };
    case "unreachable":
      return { check: { status: "unreachable", reason: lookup.reason }, digest: logged };
  }
}

function notesFor(input: RunReportInput, images: ImageReport[]): ReportNote[] {
  const notes: ReportNote[] = [];
  const { facts, logs } = input;
  if (facts.origin === "fork") notes.push({ code: "fork-read-only" });
  if (facts.origin === "dependabot") notes.push({ code: "dependabot-read-only" });
  if (facts.origin === "same-repo" && images.length === 0) {
    notes.push({ code: facts.conclusion === "success" ? "no-push-found" : "run-not-successful" });
  }
  if (!input.artifacts) notes.push({ code: "artifacts-unavailable" });
  if (logs.failed.length > 0) notes.push({ code: "logs-unavailable", detail: logs.failed.slice(0, 3).join("; ") });
  if (logs.skipped > 0) notes.push({ code: "logs-limited", detail: String(logs.read) });
  if (logs.truncated.length > 0) notes.push({ code: "logs-truncated", detail: logs.truncated.slice(0, 3).join("; ") });
  if (input.unchecked > 0) notes.push({ code: "images-unchecked", detail: String(input.config.maxImageChecks) });
  for (const template of input.expected.invalidTemplates)
    notes.push({ code: "invalid-expected-tag", detail: template });
  return notes;
}
