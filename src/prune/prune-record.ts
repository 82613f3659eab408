import { z } from "zod";

const deletedVersionSchema = z.object({ id: z.number(), digest: z.string(), tags: z.array(z.string()) });

/** What pruning did for one package; kept in the PR comment's state as the audit record. */
export const packageRecordSchema = z.object({
  name: z.string(),
  deleted: z.array(deletedVersionSchema),
  refused: z.array(z.object({ id: z.number(), digest: z.string(), detail: z.string() })).default([]),
  failed: z.number().default(0),
  kept: z.number().default(0),
  /** Deleted versions left out of `deleted` to fit the comment (see fit-state.ts). */
  omitted: z.number().optional(),
  /**
   * Why the package was not pruned: no credential may manage it, or GitHub or the registry failed
   * (`detail`: their message, shown inert).
   */
  problem: z.object({ code: z.enum(["no-credential", "failed"]), detail: z.string().optional() }).optional(),
});
export type PackageRecord = z.infer<typeof packageRecordSchema>;

/**
 * How far a prune job's run got with a package it did not finish, kept in the job's data: versions it
 * deleted, and those whose deletion failed in a way that may have come after GitHub carried it out
 * (the next run counts them deleted if they no longer list).
 */
export const packageProgressSchema = z.object({
  name: z.string(),
  deleted: z.array(deletedVersionSchema),
  unknown: z.array(deletedVersionSchema),
});
export type PackageProgress = z.infer<typeof packageProgressSchema>;

export const pruneRecordSchema = z.object({
  status: z.enum(["scheduled", "done", "dry-run", "cancelled"]),
  /** When it is scheduled for, or when it ran. */
  at: z.string(),
  owner: z.string(),
  registry: z.string(),
  packages: z.array(packageRecordSchema),
});
export type PruneRecord = z.infer<typeof pruneRecordSchema>;

/** GitHub restores a deleted package version within 30 days. */
export const RESTORE_WINDOW_MS = 30 * 24 * 3600 * 1000;
