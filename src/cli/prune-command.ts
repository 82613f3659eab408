import { parseArgs } from "node:util";
import { pino } from "pino";
import { fetchConfigFile } from "../config/fetch-config-file.js";
import { parseConfig } from "../config/parse-config.js";
import { readConfigFile } from "../config/read-config-file.js";
import { pullStatesFor, type UnreadPull } from "../prune/pull-states.js";
import { prunePackage } from "../prune/prune-package.js";
import { WriteLanes } from "../prune/write-lanes.js";
import { DirectoryManifestCache } from "../registry/directory-manifest-cache.js";
import { LayeredManifestCache, MemoryManifestCache, type ManifestCache } from "../registry/manifest-cache.js";
import { RegistryClient } from "../registry/registry-client.js";
import { checkGitHubReachable, cliOctokit } from "./github-client.js";
import type { CliIo } from "./cli-io.js";
import { invalidConfig } from "./cli-rules.js";
import { pruneSummary } from "./prune-summary.js";

export const PRUNE_USAGE = `Usage: dockhand prune --owner OWNER --package NAME [options]

Prunes a container package now with the same engine as the app: lists its versions, reads their
manifests, plans (see dockhand plan) and deletes, children first, at most one write per second.

Options:
  --owner OWNER      the user or organization that owns the package
  --package NAME     the package (nested names such as app/api are fine)
  --repo OWNER/REPO  the repository whose PR numbers the tags carry (default: $GITHUB_REPOSITORY, else OWNER/NAME)
  --config FILE      a .github/dockhand.yml (its prune section; its _extends read with the token);
                     default: the defaults
  --registry HOST    the container registry (default: ghcr.io)
  --dry-run          plan and print, delete nothing
  --cache-dir DIR    keep the manifests read in DIR, and read none kept there again (each checked
                     against its digest); keep DIR between runs, e.g. with actions/cache
  --json             print the plan and outcomes as JSON

Prints what it deleted, what it kept and why (counted by reason), and the PRs and manifests it could
not read (their versions are kept).

Environment: DOCKHAND_PACKAGES_TOKEN or GITHUB_TOKEN; GITHUB_API_URL or GHE_HOST for GitHub Enterprise
Server; DOCKHAND_PRUNE_WRITE_INTERVAL_MS (default 1000) between two deletions.
`;

export async function pruneCommand(
  argv: string[],
  io: CliIo,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      owner: { type: "string" },
      package: { type: "string" },
      repo: { type: "string" },
      config: { type: "string" },
      registry: { type: "string", default: "ghcr.io" },
      "dry-run": { type: "boolean", default: false },
      "cache-dir": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout.write(PRUNE_USAGE);
    return 0;
  }
  if (!values.owner || !values.package) {
    io.stderr.write(`dockhand prune: give --owner and --package\n\n${PRUNE_USAGE}`);
    return 2;
  }
  const client = cliOctokit(env);
  if ("error" in client) {
    io.stderr.write(`dockhand prune: ${client.error}\n`);
    return 2;
  }
  // First: an unreachable API is said at once, naming what to check.
  const unreachable = await checkGitHubReachable(client, values.owner);
  if (unreachable) {
    io.stderr.write(`dockhand prune: ${unreachable}\n`);
    return 2;
  }
  const [repoOwner = values.owner, repoName = values.package] = (
    values.repo ??
    env.GITHUB_REPOSITORY ??
    `${values.owner}/${values.package}`
  ).split("/");
  const config = values.config
    ? await readConfigFile(values.config, { owner: repoOwner, fetch: (ref) => fetchConfigFile(client.octokit, ref) })
    : parseConfig({});
  if (!config.ok) {
    io.stderr.write(`dockhand prune: ${invalidConfig(values.config ?? "", config.problems)}`);
    return 2;
  }
  const registry = new RegistryClient({
    allowList: [values.registry],
    credentials: { [values.registry]: { username: "dockhand", password: client.token } },
    ...(values["cache-dir"] ? { cache: directoryCache(values["cache-dir"], io) } : {}),
  });
  const unreadPulls: UnreadPull[] = [];
  const progress = io.stderr as { isTTY?: boolean; write(text: string): unknown };
  const result = await prunePackage(
    {
      owner: values.owner,
      name: values.package,
      config: config.config.prune,
      // A PR the token may not read is kept and said, rather than ending the run.
      pullStates: (versions) =>
        pullStatesFor(client.octokit, { owner: repoOwner, repo: repoName }, versions, config.config.prune, {
          unread: [403, 404, 410],
          onUnread: (pull) => unreadPulls.push(pull),
        }),
      scope: { kind: "sweep" },
      now: Date.now(),
      dryRun: values["dry-run"],
    },
    {
      access: (_owner, work) => work({ octokit: client.octokit, credential: "token" }),
      registry,
      containerRegistry: values.registry,
      lanes: new WriteLanes(client.writeIntervalMs),
      log: pino({ level: env.LOG_LEVEL ?? "warn" }, pino.destination(2)),
      ...(progress.isTTY
        ? {
            onProgress: (done: number, total: number) =>
              progress.write(`\r${bar(done, total)} ${done}/${total} deleted`),
          }
        : {}),
    },
  );
  if (progress.isTTY && result.outcomes.length > 0) io.stderr.write("\n");
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ plan: result.plan, outcomes: result.outcomes, unreadPulls, unreadManifests: result.unreadManifests }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(
      pruneSummary({
        pkg: `${values.owner}/${values.package}`,
        dryRun: values["dry-run"],
        result,
        unreadPulls,
        repo: `${repoOwner}/${repoName}`,
        registry: values.registry,
      }),
    );
  }
  return result.outcomes.some((o) => o.result === "failed") ? 1 : 0;
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}

/** Manifests in memory, then in `dir`; a directory that cannot be used is said once and the registry read. */
function directoryCache(dir: string, io: CliIo): ManifestCache {
  return new LayeredManifestCache(new MemoryManifestCache(), new DirectoryManifestCache(dir), (error, operation) =>
    io.stderr.write(
      `dockhand prune: the cache directory ${dir} failed (${operation}: ${error instanceof Error ? error.message : String(error)}); reading the registry instead\n`,
    ),
  );
}
