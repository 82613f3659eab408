import { z } from "zod";

/** What pruning did for one package; kept in the PR comment's state as the audit record. */
const packageRecord = z.object({
  name: z.string(),
  deleted: z.array(z.object({ id: z.number(), digest: z.string(), tags: z.array(z.string()) })),
  refused: z.array(z.object({ id: z.number(), digest: z.string(), detail: z.string() })).default([]),
  failed: z.number().default(0),
  kept: z.number().default(0),
  /** Why the package was not pruned (no credential, not found), in Dockhand's own words. */
  problem: z.string().optional(),
});
export type PackageRecord = z.infer<typeof packageRecord>;

export const pruneRecordSchema = z.object({
  status: z.enum(["scheduled", "done", "dry-run", "cancelled"]),
  /** When it is scheduled for, or when it ran. */
  at: z.string(),
  owner: z.string(),
  registry: z.string(),
  packages: z.array(packageRecord),
});
export type PruneRecord = z.infer<typeof pruneRecordSchema>;

/** GitHub restores a deleted package version within 30 days. */
export const RESTORE_WINDOW_MS = 30 * 24 * 3600 * 1000;
