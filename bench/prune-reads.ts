/**
 * Pruning's reads at scale.
 * 1. PR-state requests per N PR numbers the tags carry (fake GitHub through nock).
 * 2. Manifest reads of two `dockhand prune --dry-run` runs over an unchanged package, as two workflow
 *    runs would do them (a new process each time, the cache directory kept between them).
 * 3. The 100,000-version read path (list, manifests, PR states, plan; dry run) against the HTTP fake
 *    GitHub and an HTTP fake registry that answer every request `latencyMs` late, with the Octokit that
 *    ships: wall time and requests.
 * Usage: tsx bench/prune-reads.ts [versions] [latencyMs]   (default 100000 100)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { pruneCommand } from "../src/cli/prune-command.js";
import { parseConfig } from "../src/config/parse-config.js";
import type { Octokit } from "../src/github/octokit.js";
import { dockhandOctokit } from "../src/github/octokit-options.js";
import type { PackageVersion } from "../src/prune/package-version.js";
import { prunePackage } from "../src/prune/prune-package.js";
import { pullStatesFor } from "../src/prune/pull-states.js";
import { WriteLanes } from "../src/prune/write-lanes.js";
import { RegistryClient } from "../src/registry/registry-client.js";
import { readSettings } from "../src/settings.js";
import { runCli } from "../test/support/cli.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { FakeRegistry } from "../test/support/fake-registry.js";
import { startHttpGitHub } from "../test/support/http-github.js";
import { interceptGitHub } from "../test/support/nock-github.js";
import { BENCH_NOW, seedSyntheticPulls, syntheticPackage } from "./synthetic-package.js";

const target = Number(process.argv[2] ?? 100_000);
const latencyMs = Number(process.argv[3] ?? 100);
const log = pino({ level: "silent" });
const parsed = parseConfig({
  prune: { retention: [{ tags: ["feature-*"], olderThanDays: 14 }], untaggedOlderThanDays: 30 },
});
if (!parsed.ok) throw new Error("bad bench config");
const config = parsed.config.prune;

// 1. PR-state requests per N numbers.
const pullRows: string[] = [];
for (const n of [1, 30, 100, 101, 250, 1800]) {
  const fake = new FakeGitHub();
  const stop = interceptGitHub(fake);
  seedSyntheticPulls(fake, n);
  const versions: PackageVersion[] = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    digest: `sha256:${String(i).padStart(64, "0")}`,
    createdAt: BENCH_NOW,
    updatedAt: BENCH_NOW,
    tags: [`pr-${i + 1}`],
  }));
  const octokit = new (dockhandOctokit({ githubWriteIntervalMs: 0 }))({
    auth: { token: "ghp_bench" },
    log,
  }) as unknown as Octokit;
  const states = await pullStatesFor(octokit, { owner: "octo-org", repo: "app" }, versions, config);
  stop();
  if (states.length !== n) throw new Error(`read ${states.length} states of ${n}`);
  pullRows.push(`| ${n} | ${fake.requests.length} | ${Math.ceil(n / 100) + 1} |`);
}

// 2. Two `dockhand prune --dry-run` runs over an unchanged package.
const cliVersions = 1000;
const cliRegistry = new FakeRegistry();
const cliFake = new FakeGitHub();
const cliStops = [interceptGitHub(cliFake), cliRegistry.intercept()];
seedSyntheticPulls(cliFake, 2000);
cliFake.addPackage({ owner: "octo-org", name: "app", versions: syntheticPackage(cliVersions, cliRegistry) });
const cacheDir = mkdtempSync(join(tmpdir(), "dockhand-bench-cache-"));
const cliRuns: { reads: number; ms: number }[] = [];
for (let run = 0; run < 2; run += 1) {
  // Each run is a new process in a workflow: the in-process pacing of GraphQL queries (one a second,
  // as writes) that the previous run's last query left is waited out, not counted.
  if (run > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = cliRegistry.reads;
  const start = performance.now();
  const result = await runCli(
    (argv, io) =>
      pruneCommand(argv, io, { DOCKHAND_PACKAGES_TOKEN: "ghp_bench", GITHUB_API_URL: "https://api.github.com" }),
    ["--owner", "octo-org", "--package", "app", "--dry-run", "--cache-dir", cacheDir],
  );
  if (result.status !== 0) throw new Error(result.stderr);
  cliRuns.push({ reads: cliRegistry.reads - before, ms: performance.now() - start });
}
for (const stop of cliStops) stop();
rmSync(cacheDir, { recursive: true, force: true });

// 3. The read path at scale, at `latencyMs`.
const registry = new FakeRegistry();
const versions = syntheticPackage(target, registry);
const served = await registry.serve({ latencyMs });
const github = await startHttpGitHub({ latencyMs });
seedSyntheticPulls(github.fake, 2000);
github.fake.addPackage({ owner: "octo-org", name: "app", versions });
// The Octokit that ships, with the default settings (writes, and so GraphQL queries, a second apart).
const octokit = new (dockhandOctokit(readSettings({})))({
  auth: { token: "ghp_bench" },
  baseUrl: `http://${github.host}/api/v3`,
  log,
}) as unknown as Octokit;
const client = new RegistryClient({ allowList: [served.host] });
const start = performance.now();
const result = await prunePackage(
  {
    owner: "octo-org",
    name: "app",
    config,
    pullStates: (v) => pullStatesFor(octokit, { owner: "octo-org", repo: "app" }, v, config),
    scope: { kind: "sweep" },
    now: BENCH_NOW,
    dryRun: true,
  },
  {
    access: (_o, work) => work({ octokit, credential: "bench" }),
    registry: client,
    containerRegistry: served.host,
    lanes: new WriteLanes(1000),
    log,
  },
);
const seconds = (performance.now() - start) / 1000;
await github.close();
await served.close();
const count = (pattern: RegExp) => github.fake.requests.filter((r) => pattern.test(`${r.method} ${r.path}`)).length;

console.log(`# Pruning's reads, node ${process.version}\n`);
console.log("PR-state requests per N PR numbers:\n");
console.log("| PR numbers | Requests | Goal (⌈N/100⌉ + 1) |");
console.log("| --- | --- | --- |");
for (const row of pullRows) console.log(row);
console.log(
  `\nManifest reads of two \`dockhand prune --dry-run\` runs, ${cliVersions.toLocaleString("en")} versions:\n`,
);
console.log("| Run | Manifest reads | Time |");
console.log("| --- | --- | --- |");
cliRuns.forEach((r, i) => console.log(`| ${i + 1} | ${r.reads} | ${(r.ms / 1000).toFixed(1)} s |`));
console.log(
  `\nThe ${versions.length.toLocaleString("en")}-version read path at ${latencyMs} ms (dry run, plan ${result.plan.delete.length.toLocaleString("en")} deletions):\n`,
);
console.log("| Measure | Result |");
console.log("| --- | --- |");
console.log(`| Wall time | ${seconds.toFixed(1)} s |`);
console.log(`| GitHub requests | ${github.fake.requests.length.toLocaleString("en")} |`);
console.log(`| Version list pages | ${count(/\/packages\/container\/app\/versions/)} |`);
console.log(`| PR-state requests | ${count(/^GET \/repos\/octo-org\/app\/pulls\/\d+$|^POST \/(api\/)?graphql$/)} |`);
console.log(`| Manifest reads | ${result.manifestReads.toLocaleString("en")} |`);
