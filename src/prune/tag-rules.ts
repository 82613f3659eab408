import { RE2JS } from "re2js";
import type { PruneConfig } from "../config/schema.js";
import { globsMatcher } from "../util/glob.js";

export type PruneScope = { kind: "pull"; number: number } | { kind: "sweep" };

export interface CompiledPruneRules {
  keep: (tag: string) => boolean;
  /** The PR number a tag belongs to, if it matches a `pullRequestTags` template. */
  pullOf: (tag: string) => number | undefined;
  /** The index of the first retention rule matching a tag. */
  retentionOf: (tag: string) => number | undefined;
}

/** The repository's globs run on RE2, in time linear in the tag (see util/glob.ts). */
export function compilePruneRules(config: PruneConfig): CompiledPruneRules {
  const keep = globsMatcher(config.keep);
  const pulls = config.pullRequestTags.map((template) =>
    RE2JS.compile(`^${template.split("{number}").map(wildcards).join("([0-9]+)")}$`),
  );
  const retention = config.retention.map((rule) => globsMatcher(rule.tags));
  return {
    keep,
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

/** A `pullRequestTags` piece: only `*` and `?` are special, since `{number}` claims the braces. */
function wildcards(glob: string): string {
  return [...glob].map((c) => (c === "*" ? ".*" : c === "?" ? "." : RE2JS.quote(c))).join("");
}
