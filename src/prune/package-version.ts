import { z } from "zod";

/** A container package version as the Packages REST API lists it; only the fields pruning needs. */
export const packageVersionSchema = z.object({
  id: z.number(),
  /** The manifest digest, `sha256:…`. */
  name: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  metadata: z.object({ container: z.object({ tags: z.array(z.string()) }).optional() }).nullish(),
});

export interface PackageVersion {
  id: number;
  digest: string;
  createdAt: number;
  updatedAt: number;
  tags: string[];
}

export function toPackageVersion(raw: z.infer<typeof packageVersionSchema>): PackageVersion {
  return {
    id: raw.id,
    digest: raw.name,
    createdAt: Date.parse(raw.created_at),
    updatedAt: Date.parse(raw.updated_at),
    tags: raw.metadata?.container?.tags ?? [],
  };
}

/** A pull request as pruning needs it. */
export interface PullState {
  number: number;
  state: "open" | "closed";
  closedAt: number | null;
}

export const pullStateSchema = z.object({
  number: z.number().int(),
  state: z.enum(["open", "closed"]),
  closed_at: z.string().nullish(),
});

/** A pull request as the REST API (or `gh api`) gives it; anything not open counts as closed. */
export function toPullState(raw: { number: number; state: string; closed_at?: string | null }): PullState {
  return {
    number: raw.number,
    state: raw.state === "open" ? "open" : "closed",
    closedAt: raw.closed_at ? Date.parse(raw.closed_at) : null,
  };
}
