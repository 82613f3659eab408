import type { z } from "zod";
import { configSchema, type DockhandConfig } from "./schema.js";

/** One thing wrong with a config file, named so a person can find and fix it. */
export interface ConfigProblem {
  /** Dotted key path, e.g. `report.expectedTags[1]`; `(file)` for the file as a whole. */
  key: string;
  message: string;
}

export type ParsedConfig = { ok: true; config: DockhandConfig } | { ok: false; problems: ConfigProblem[] };

/** Problems shown for one file: the first few are enough to start fixing, and the comment stays small. */
export const MAX_PROBLEMS = 20;
const MAX_KEY_LENGTH = 120;

export function parseConfig(raw: unknown): ParsedConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: limitProblems(result.error.issues.flatMap(toProblems)) };
}

/**
 * The first `MAX_PROBLEMS`, then one line counting the rest (`total`: how many were found, when only the
 * first were kept); keys, the file's own text, are shortened.
 */
export function limitProblems(problems: ConfigProblem[], total = problems.length): ConfigProblem[] {
  const shown = problems.slice(0, MAX_PROBLEMS).map((problem) => ({ ...problem, key: shorten(problem.key) }));
  const more = total - shown.length;
  return more > 0 ? [...shown, { key: "(file)", message: `and ${more} more problem${more === 1 ? "" : "s"}` }] : shown;
}

function shorten(key: string): string {
  // Not half of a surrogate pair at the cut.
  return key.length > MAX_KEY_LENGTH ? `${key.slice(0, MAX_KEY_LENGTH - 1).replace(/[\uD800-\uDBFF]$/, "")}…` : key;
}

function toProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
  const key = formatKey(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((unknown) => ({
      key: key ? `${key}.${unknown}` : unknown,
      message: `unknown key; allowed here: ${allowedKeysAt(issue.path).join(", ")}`,
    }));
  }
  return [{ key: key || "(file)", message: issue.message }];
}

function formatKey(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`))
    .join("");
}

/** The keys the schema accepts at a path, so an error can suggest the right spelling. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let node: z.core.$ZodType = configSchema;
  for (const part of path) {
    node = unwrap(node);
    const shape = (node as { shape?: Record<string, z.core.$ZodType> }).shape;
    if (typeof part !== "string" || !shape?.[part]) return [];
    node = shape[part];
  }
  const shape = (unwrap(node) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(node: z.core.$ZodType): z.core.$ZodType {
  let current = node;
  for (;;) {
    const inner = (current._zod.def as { innerType?: z.core.$ZodType }).innerType;
    if (!inner) return current;
    current = inner;
  }
}
