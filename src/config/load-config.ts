import { isTransientError, type Octokit } from "../github/octokit.js";
import { parseConfig, type ConfigProblem } from "./parse-config.js";
import type { DockhandConfig } from "./schema.js";

export const CONFIG_PATH = ".github/dockhand.yml";

export type LoadedConfig =
  | { ok: true; config: DockhandConfig; files: string[] }
  | { ok: false; problems: ConfigProblem[]; files: string[] };

/**
 * Reads `.github/dockhand.yml` from the repository's default branch (never from a PR head, which a fork
 * controls), falling back to the owner's `.github` repository and following `_extends`.
 */
export async function loadConfig(octokit: Octokit, repo: { owner: string; repo: string }): Promise<LoadedConfig> {
  let files: string[] = [];
  try {
    const { config, files: read } = await octokit.config.get<Record<string, unknown>>({
      ...repo,
      path: CONFIG_PATH,
      defaults: (configs) => configs.reduce<Record<string, unknown>>((merged, next) => mergeConfig(merged, next), {}),
    });
    files = read.filter((file) => file.config !== null).map((file) => `${file.owner}/${file.repo}:${file.path}`);
    const parsed = parseConfig(config);
    return parsed.ok ? { ok: true, config: parsed.config, files } : { ok: false, problems: parsed.problems, files };
  } catch (error) {
    // GitHub failing for a moment is not a broken config: the caller's job is tried again.
    if (isTransientError(error)) throw error;
    return { ok: false, problems: [{ key: "(file)", message: describeReadError(error) }], files };
  }
}

/** Later files (the repository's own) override earlier ones (`_extends` bases); objects merge, lists replace. */
export function mergeConfig(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? mergeConfig(current, value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeReadError(error: unknown): string {
  const message = error instanceof Error ? error.message.replace("[@probot/octokit-plugin-config] ", "") : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message.split("\n")[0]}` : "";
  return `${message}${cause}`;
}
