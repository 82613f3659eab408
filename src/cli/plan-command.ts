import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { z } from "zod";
import { parseConfig } from "../config/parse-config.js";
import { readConfigFile } from "../config/read-config-file.js";
import { packageVersionSchema, pullStateSchema, toPackageVersion, toPullState } from "../prune/package-version.js";
import { unreadLeaves } from "../prune/manifest-graph.js";
import { planPrune } from "../prune/plan-prune.js";
import type { PruneScope } from "../prune/tag-rules.js";
import { DirectoryManifestCache } from "../registry/directory-manifest-cache.js";
import { verifiedManifest } from "../registry/manifest-cache.js";
import { parseJsonValues } from "../util/parse-json-values.js";
import type { CliIo } from "./cli-io.js";
import { invalidConfig } from "./cli-rules.js";

export const PLAN_USAGE = `Usage: dockhand plan --versions V.json (--manifests M.json | --cache-dir DIR) [options]

Plans a prune offline and prints {"delete": [{id, digest, reason}], "keep": [{id, digest, reason}]},
covering every version given. Nothing is deleted.

Options:
  --versions FILE    the package's versions as the REST API lists them (gh api --paginate output)
  --manifests FILE   an object mapping digest → the raw manifest JSON the registry serves
  --cache-dir DIR    also the manifests a dockhand prune --cache-dir DIR run kept there (each checked
                     against its digest); the image manifests their indexes declare count as leaves,
                     as dockhand prune counts them
  --config FILE      a .github/dockhand.yml (its prune section); default: the defaults
  --pulls FILE       a list of {number, state, closed_at}; default: none
  --now ISO          the time to plan at; default: now
  --pull N           plan what closing PR #N prunes, instead of the scheduled sweep
`;

class InputError extends Error {}

export async function planCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      versions: { type: "string" },
      manifests: { type: "string" },
      "cache-dir": { type: "string" },
      config: { type: "string" },
      pulls: { type: "string" },
      now: { type: "string" },
      pull: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout.write(PLAN_USAGE);
    return 0;
  }
  try {
    if (!values.versions || (!values.manifests && !values["cache-dir"]))
      throw new InputError(`give --versions, and --manifests or --cache-dir\n\n${PLAN_USAGE}`);
    const versions = (await readJson(values.versions, "--versions"))
      .flatMap((value) => (Array.isArray(value) ? value : [value]))
      .map((raw, index) => toPackageVersion(check(packageVersionSchema, raw, `${values.versions} version [${index}]`)));
    const manifestObject = values.manifests ? (await readJson(values.manifests, "--manifests"))[0] : {};
    if (typeof manifestObject !== "object" || manifestObject === null || Array.isArray(manifestObject)) {
      throw new InputError(`${values.manifests}: expected an object mapping digest to manifest`);
    }
    const manifests = new Map(Object.entries(manifestObject as Record<string, unknown>));
    const cacheDir = values["cache-dir"];
    if (cacheDir) {
      const cache = new DirectoryManifestCache(cacheDir);
      let ignored = 0;
      for (const { digest } of versions) {
        if (manifests.has(digest)) continue;
        const bytes = await cache.get(digest);
        const manifest = bytes ? verifiedManifest(bytes, digest) : undefined;
        if (manifest !== undefined) manifests.set(digest, manifest);
        else if (bytes) ignored += 1;
      }
      if (ignored > 0)
        io.stderr.write(
          `dockhand plan: ${ignored} file(s) in ${cacheDir} do not match their digest and were ignored (their versions count as unreadable)\n`,
        );
    }
    const pulls = values.pulls
      ? (await readJson(values.pulls, "--pulls"))
          .flatMap((value) => (Array.isArray(value) ? value : [value]))
          .map((raw, index) => toPullState(check(pullStateSchema, raw, `${values.pulls} pull [${index}]`)))
      : [];
    const config = values.config ? await readConfigFile(values.config) : parseConfig({});
    if (!config.ok) throw new InputError(invalidConfig(values.config ?? "", config.problems).trimEnd());
    if ("unfollowed" in config && config.unfollowed) {
      io.stderr.write(
        `dockhand plan: ${values.config} extends ${config.unfollowed}, which plan does not read (it works offline): planning with this file's keys over the defaults; dockhand prune --dry-run reads it\n`,
      );
    }
    const now = values.now === undefined ? Date.now() : isoTime(values.now);
    if (Number.isNaN(now))
      throw new InputError(
        `--now ${JSON.stringify(values.now)} is not an ISO 8601 date or time; use e.g. 2026-11-21T12:00:00Z or 2026-11-21`,
      );
    let scope: PruneScope = { kind: "sweep" };
    if (values.pull !== undefined) {
      if (!/^\d+$/.test(values.pull)) throw new InputError(`--pull ${JSON.stringify(values.pull)} is not a PR number`);
      scope = { kind: "pull", number: Number(values.pull) };
    }
    const plan = planPrune({
      versions,
      manifests,
      ...(cacheDir ? { knownLeaves: unreadLeaves(manifests) } : {}),
      config: config.config.prune,
      pulls,
      now,
      scope,
    });
    io.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.stderr.write(`dockhand plan: ${error.message}\n`);
    return 2;
  }
}

/** ISO 8601 only (`Date.parse` reads `12` as 2001-12-01): a UTC date, or a date and time with `Z` or an offset. */
function isoTime(text: string): number {
  return /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/.test(text)
    ? Date.parse(text)
    : Number.NaN;
}

async function readJson(path: string, option: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InputError(`${option}: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseJsonValues(text);
  } catch (error) {
    throw new InputError(`${option}: ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function check<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ");
  throw new InputError(`${what} is not what GitHub returns: ${problems}`);
}
