import { z } from "zod";
import { retryRecordSchema } from "../retry/retry-record.js";

/** What Dockhand found for one workflow run attempt: the unit the PR comment is made of. */
const imageCheck = z.discriminatedUnion("status", [
  z.object({ status: z.literal("verified"), platforms: z.array(z.string()), attestations: z.number() }),
  z.object({ status: z.literal("mismatch"), registryDigest: z.string(), platforms: z.array(z.string()) }),
  z.object({ status: z.literal("resolved"), platforms: z.array(z.string()), attestations: z.number() }),
  z.object({ status: z.literal("missing") }),
  z.object({ status: z.literal("not-allowed") }),
  z.object({ status: z.literal("unreachable"), reason: z.string() }),
]);

const image = z.object({
  repository: z.string(),
  tag: z.string(),
  /** As printed by the push, or as resolved from the registry when the tool printed none. */
  digest: z.string().optional(),
  via: z.string(),
  job: z.string(),
  check: imageCheck,
});

const expectedTag = z.object({
  repository: z.string(),
  tag: z.string(),
  found: z.boolean(),
  /** A pushed tag of the same shape but another commit: docker/metadata-action's merge-commit SHA. */
  otherShaTag: z.string().optional(),
});

const artifact = z.object({
  id: z.number(),
  name: z.string(),
  sizeInBytes: z.number(),
  digest: z.string().nullable(),
  expiresAt: z.string().nullable(),
  expired: z.boolean(),
  url: z.string(),
  holdsImage: z.boolean(),
});

/** Why a report may be thin; rendered to sentences by the renderer, so no untrusted text lives here. */
export const NOTE_CODES = [
  "fork-read-only",
  "dependabot-read-only",
  "run-not-successful",
  "no-push-found",
  "logs-unavailable",
  "artifacts-unavailable",
  "logs-limited",
  "invalid-expected-tag",
  "logs-truncated",
  "images-unchecked",
] as const;

export const runReportSchema = z.object({
  workflowKey: z.string(),
  workflowName: z.string(),
  runId: z.number(),
  runNumber: z.number(),
  attempt: z.number(),
  runUrl: z.string(),
  event: z.string(),
  conclusion: z.string().nullable(),
  headSha: z.string(),
  completedAt: z.string(),
  origin: z.enum(["same-repo", "fork", "dependabot"]),
  images: z.array(image),
  expectedTags: z.array(expectedTag),
  artifacts: z.array(artifact),
  notes: z.array(z.object({ code: z.enum(NOTE_CODES), detail: z.string().optional() })),
  /** Entries left out to fit the comment size limit. */
  omitted: z.object({ images: z.number(), artifacts: z.number() }).optional(),
  /** For a failed attempt: what its failed jobs showed and whether Dockhand re-runs it. */
  retry: retryRecordSchema.optional(),
});

export type RunReport = z.infer<typeof runReportSchema>;
export type ImageReport = RunReport["images"][number];
export type ImageCheck = ImageReport["check"];
export type ArtifactReport = RunReport["artifacts"][number];
export type ExpectedTagReport = RunReport["expectedTags"][number];
export type ReportNote = RunReport["notes"][number];
