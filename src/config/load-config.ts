import type { Octokit, RepoRef } from "../github/octokit.js";
import { fetchConfigFile, fileLabel, type ConfigFileRef, type FetchedConfigFile } from "./fetch-config-file.js";
import { parseConfig, type ConfigProblem } from "./parse-config.js";
import { CONFIG_MAX_VALUES, parseConfigYaml } from "./parse-config-yaml.js";
import { EXTENDS_PATTERN, type DockhandConfig } from "./schema.js";

export const CONFIG_PATH = ".github/dockhand.yml";
/** `_extends` bases followed from the first file: enough for repository → team → organisation. */
export const MAX_EXTENDS = 3;

export type LoadedConfig =
  | { ok: true; config: DockhandConfig; files: string[]; unfollowed?: string }
  | { ok: false; problems: ConfigProblem[]; files: string[] };

/** Reads one file of an `_extends` chain, as `fetchConfigFile` does from a repository. */
export type ConfigFetcher = (ref: ConfigFileRef) => Promise<FetchedConfigFile>;

/**
 * Reads `.github/dockhand.yml` from the repository's default branch (never from a PR head, which a fork
 * controls), falling back to the owner's `.github` repository and following `_extends` (at most
 * `MAX_EXTENDS` bases, no cycles; each file within `CONFIG_MAX_BYTES`). No file: the defaults. A file
 * GitHub served that does not parse or validate: its problems. Any failure to read one is thrown, so
 * that the job is tried again and the failure logged under its own name, never shown as a config problem.
 */
export async function loadConfig(octokit: Octokit, repo: RepoRef): Promise<LoadedConfig> {
  const fetch: ConfigFetcher = (ref) => fetchConfigFile(octokit, ref);
  let ref: ConfigFileRef = { ...repo, path: CONFIG_PATH };
  let fetched = await fetch(ref);
  if (!fetched.found && repo.repo !== ".github") {
    ref = { owner: repo.owner, repo: ".github", path: CONFIG_PATH };
    fetched = await fetch(ref);
  }
  if (!fetched.found) return checked({}, []);
  return followExtends({ label: fileLabel(ref), ref, fetched }, repo.owner, fetch);
}

/**
 * A config file and the bases its `_extends` names, merged and checked within the same bounds wherever
 * the first file came from (a repository, or a file on disk for the CLI). `owner` resolves a bare
 * `repo`. Without `fetch` (offline) a base is not read: the file's own keys are checked over the
 * defaults, and `unfollowed` names the base, for the caller to say so.
 */
export async function followExtends(
  first: { label: string; ref?: ConfigFileRef; fetched: Exclude<FetchedConfigFile, { found: false }> },
  owner: string,
  fetch: ConfigFetcher | undefined,
): Promise<LoadedConfig> {
  let file = first;
  const read: (typeof first)[] = [];
  const values: Record<string, unknown>[] = [];
  let total = 0;
  const labels = () => read.map(({ label }) => label);
  const invalid = (problems: ConfigProblem[]): LoadedConfig => ({ ok: false, problems, files: labels() });
  for (;;) {
    read.push(file);
    if ("problem" in file.fetched) return invalid([{ key: "(file)", message: file.fetched.problem }]);
    const parsed = parseConfigYaml(file.fetched.text, file.label);
    if (!parsed.ok) return invalid(parsed.problems);
    total += parsed.values;
    if (total > CONFIG_MAX_VALUES)
      return invalid([
        {
          key: "(file)",
          message: `${labels().join(" → ")} hold more than ${CONFIG_MAX_VALUES} values together; keep the bases small`,
        },
      ]);
    const { _extends: base, ...value } = parsed.value;
    values.push(value);
    if (base === undefined) break;

    const next = extendsRef(base, owner, CONFIG_PATH);
    if (!next)
      return invalid([
        { key: "_extends", message: `${file.label}: use \`repo\`, \`owner/repo\` or \`owner/repo:path.yml\`` },
      ]);
    if (!fetch) {
      const loaded = checked(value, labels());
      return loaded.ok ? { ...loaded, unfollowed: String(base) } : loaded;
    }
    const chain = [...labels(), fileLabel(next)].join(" → ");
    if (read.some(({ ref }) => ref && sameFile(ref, next)))
      return invalid([
        { key: "_extends", message: `${file.label} extends a file already read: ${chain}; remove one \`_extends\`` },
      ]);
    if (values.length > MAX_EXTENDS)
      return invalid([
        {
          key: "_extends",
          message: `${chain} is more than ${MAX_EXTENDS} \`_extends\` deep; extend a file that does not extend another`,
        },
      ]);
    const fetched = await fetch(next);
    if (!fetched.found)
      return invalid([
        {
          key: "_extends",
          message: `${file.label} extends ${fileLabel(next)}, which does not exist or the app is not installed on`,
        },
      ]);
    file = { label: fileLabel(next), ref: next, fetched };
  }
  // Bases first: the repository's own file has the last word.
  return checked(
    values.reduceRight<Record<string, unknown>>((merged, next) => mergeConfig(merged, next), {}),
    labels(),
  );
}

function checked(raw: Record<string, unknown>, files: string[]): LoadedConfig {
  const parsed = parseConfig(raw);
  return parsed.ok ? { ok: true, config: parsed.config, files } : { ok: false, problems: parsed.problems, files };
}

function extendsRef(value: unknown, owner: string, path: string): ConfigFileRef | undefined {
  const match = typeof value === "string" ? EXTENDS_PATTERN.exec(value) : null;
  if (!match?.[2]) return undefined;
  return { owner: match[1] ?? owner, repo: match[2], path: match[3] ?? path };
}

/** GitHub's owner and repository names are case-insensitive; paths are not. */
function sameFile(a: ConfigFileRef, b: ConfigFileRef): boolean {
  return (
    a.owner.toLowerCase() === b.owner.toLowerCase() &&
    a.repo.toLowerCase() === b.repo.toLowerCase() &&
    a.path === b.path
  );
}

/**
 * Later files (the repository's own) override earlier ones (`_extends` bases); objects merge, lists replace.
 * Built as entries, so that a `__proto__` key stays a key (and is then reported as unknown).
 */
export function mergeConfig(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged = new Map(Object.entries(base));
  for (const [key, value] of Object.entries(override)) {
    const current = merged.get(key);
    merged.set(key, isPlainObject(current) && isPlainObject(value) ? mergeConfig(current, value) : value);
  }
  return Object.fromEntries(merged);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
