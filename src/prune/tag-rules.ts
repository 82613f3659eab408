import picomatch from "picomatch";
import type { PruneConfig } from "../config/schema.js";

export type PruneScope = { kind: "pull"; number: number } | { kind: "sweep" };

export interface CompiledPruneRules {
  keep: (tag: string) => boolean;
  /** The PR number a tag belongs to, if it matches a `pullRequestTags` template. */
  pullOf: (tag: string) => number | undefined;
  /** The index of the first retention rule matching a tag. */
  retentionOf: (tag: string) => number | undefined;
}

export function compilePruneRules(config: PruneConfig): CompiledPruneRules {
  const keep = config.keep.length > 0 ? picomatch(config.keep) : () => false;
  const pulls = config.pullRequestTags.map((template) => new RegExp(`^${template.split("{number}").map(globToRegex).join("([0-9]+)")}$`));
  const retention = config.retention.map((rule) => picomatch(rule.tags));
  return {
    keep: (tag) => keep(tag),
    pullOf: (tag) => {
      for (const pattern of pulls) {
        const match = pattern.exec(tag);
        if (match) return Number(match[1]);
      }
      return undefined;
    },
    retentionOf: (tag) => {
      const index = retention.findIndex((matches) => matches(tag));
      return index < 0 ? undefined : index;
    },
  };
}

/** A glob piece (`*`, `?`) as a regular expression; Docker tags have no other special characters. */
function globToRegex(glob: string): string {
  return glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".");
}
