import { parseArgs } from "node:util";
import { pino } from "pino";
import { parseConfig } from "../config/parse-config.js";
import { readConfigFile } from "../config/read-config-file.js";
import { pullStatesFor } from "../prune/pull-states.js";
import { prunePackage } from "../prune/prune-package.js";
import { WriteLanes } from "../prune/write-lanes.js";
import { RegistryClient } from "../registry/registry-client.js";
import { cliOctokit } from "./github-client.js";
import type { CliIo } from "./cli-io.js";

export const PRUNE_USAGE = `Usage: dockhand prune --owner OWNER --package NAME [options]

Prunes a container package now with the same engine as the app: lists its versions, reads their
manifests, plans (see dockhand plan) and deletes, children first, at most one write per second.

Options:
  --owner OWNER      the user or organization that owns the package
  --package NAME     the package (nested names such as app/api are fine)
  --repo OWNER/REPO  the repository whose PR numbers the tags carry (default: $GITHUB_REPOSITORY, else OWNER/NAME)
  --config FILE      a .github/dockhand.yml (its prune section); default: the defaults
  --registry HOST    the container registry (default: ghcr.io)
  --dry-run          plan and print, delete nothing
  --json             print the plan and outcomes as JSON

Environment: DOCKHAND_PACKAGES_TOKEN or GITHUB_TOKEN; GITHUB_API_URL or GHE_HOST for GitHub Enterprise Server.
`;

export async function pruneCommand(argv: string[], io: CliIo, env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      owner: { type: "string" },
      package: { type: "string" },
      repo: { type: "string" },
      config: { type: "string" },
      registry: { type: "string", default: "ghcr.io" },
      "dry-run": { type: "boolean", default: false },
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
  const config = values.config ? await readConfigFile(values.config) : parseConfig({});
  if (!config.ok) {
    io.stderr.write(`dockhand prune: ${values.config} is invalid:\n${config.problems.map((p) => `  ${p.key}: ${p.message}\n`).join("")}`);
    return 2;
  }
  const [repoOwner = values.owner, repoName = values.package] = (values.repo ?? env.GITHUB_REPOSITORY ?? `${values.owner}/${values.package}`).split("/");
  const registry = new RegistryClient({ allowList: [values.registry], credentials: { [values.registry]: { username: "dockhand", password: client.token } } });
  const progress = io.stderr as { isTTY?: boolean; write(text: string): unknown };
  const result = await prunePackage(
    {
      owner: values.owner,
      name: values.package,
      config: config.config.prune,
      pullStates: (versions) => pullStatesFor(client.octokit, { owner: repoOwner, repo: repoName }, versions, config.config.prune),
      scope: { kind: "sweep" },
      now: Date.now(),
      dryRun: values["dry-run"],
    },
    {
      access: (_owner, work) => work({ octokit: client.octokit, credential: "token" }),
      registry,
      containerRegistry: values.registry,
      lanes: new WriteLanes(1000),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      clockNow: () => Date.now(),
      log: pino({ level: env.LOG_LEVEL ?? "warn" }, pino.destination(2)),
      ...(progress.isTTY ? { onProgress: (done: number, total: number) => progress.write(`\r${bar(done, total)} ${done}/${total} deleted`) } : {}),
    },
  );
  if (progress.isTTY && result.outcomes.length > 0) io.stderr.write("\n");
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ plan: result.plan, outcomes: result.outcomes }, null, 2)}\n`);
  } else {
    const verb = values["dry-run"] ? "would delete" : "deleted";
    const done = values["dry-run"] ? result.plan.delete : result.outcomes.filter((o) => o.result === "deleted" || o.result === "gone");
    io.stdout.write(`${values.owner}/${values.package}: ${verb} ${done.length} of ${result.versions.length} versions, kept ${result.plan.keep.length} (${result.manifestReads} manifest reads)\n`);
    for (const entry of done) io.stdout.write(`  ${verb} ${entry.id} ${entry.digest.slice(0, 19)}: ${entry.reason}\n`);
    for (const outcome of result.outcomes.filter((o) => o.result === "refused" || o.result === "failed")) {
      io.stdout.write(`  ${outcome.result} ${outcome.id}: ${outcome.detail ?? ""}\n`);
    }
    if (!values["dry-run"] && done.length > 0) {
      io.stdout.write(`Restore within 30 days: dockhand restore --owner ${values.owner} --package ${values.package} --ids ${done.map((d) => d.id).join(",")}\n`);
    }
  }
  return result.outcomes.some((o) => o.result === "failed") ? 1 : 0;
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}
