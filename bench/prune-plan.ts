/**
 * Planning a prune of a 100,000-version package: the pure planner alone, and the whole read path
 * (list pages, manifest reads through the registry client, pull states, plan) against the fake GitHub
 * and a fake registry through nock, counting API calls against the minimum.
 * Usage: tsx bench/prune-plan.ts [versions]   (default 100000)
 */
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { parseConfig } from "../src/config/parse-config.js";
import type { Octokit } from "../src/github/octokit.js";
import { dockhandOctokit } from "../src/github/octokit-options.js";
import { planPrune } from "../src/prune/plan-prune.js";
import { prunePackage } from "../src/prune/prune-package.js";
import { pullStatesFor } from "../src/prune/pull-states.js";
import { WriteLanes } from "../src/prune/write-lanes.js";
import { RegistryClient } from "../src/registry/registry-client.js";
import { readSettings } from "../src/settings.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { FakeRegistry } from "../test/support/fake-registry.js";
import { interceptGitHub } from "../test/support/nock-github.js";
import { BENCH_NOW, seedSyntheticPulls, syntheticPackage, syntheticPulls } from "./synthetic-package.js";

const target = Number(process.argv[2] ?? 100_000);

const now = BENCH_NOW;
const registry = new FakeRegistry();
const pulls = 2000;
const versions = syntheticPackage(target, registry, pulls);
const parsed = parseConfig({
  prune: { retention: [{ tags: ["feature-*"], olderThanDays: 14 }], untaggedOlderThanDays: 30 },
});
if (!parsed.ok) throw new Error("bad bench config");
const config = parsed.config.prune;
const pullStates = syntheticPulls(pulls);

// 1. The pure planner.
const manifests = new Map([...registry.manifests].map(([digest, body]) => [digest, JSON.parse(body) as unknown]));
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
const start = performance.now();
const plan = planPrune({ versions, manifests, config, pulls: pullStates, now, scope: { kind: "sweep" } });
const planMs = performance.now() - start;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().heapUsed);

// 2. The read path: list pages, manifest reads, pull states, plan (dry run).
const fake = new FakeGitHub();
const stops = [interceptGitHub(fake), registry.intercept()];
fake.addPackage({ owner: "octo-org", name: "app", versions });
seedSyntheticPulls(fake, pulls);
const octokit = new (dockhandOctokit(readSettings({})))({
  auth: { token: "ghp_bench" },
  log: pino({ level: "silent" }),
}) as unknown as Octokit;
const client = new RegistryClient({ allowList: ["ghcr.io"] });
const log = pino({ level: "silent" });
/** A dry run of the whole read path, as a sweep runs it. */
const dryRun = () =>
  prunePackage(
    {
      owner: "octo-org",
      name: "app",
      config,
      pullStates: (v) => pullStatesFor(octokit, { owner: "octo-org", repo: "app" }, v, config),
      scope: { kind: "sweep" },
      now,
      dryRun: true,
    },
    {
      access: (_o, work) => work({ octokit, credential: "bench" }),
      registry: client,
      containerRegistry: "ghcr.io",
      lanes: new WriteLanes(1000),
      log,
    },
  );
const readStart = performance.now();
const result = await dryRun();
const readMs = performance.now() - readStart;
const second = performance.now();
const again = await dryRun();
const secondMs = performance.now() - second;
for (const stop of stops) stop();

const listPages = Math.ceil(versions.length / 100);
const taggedCount = versions.filter((v) => v.tags.length > 0).length;
const apiCalls = (path: RegExp) => fake.requests.filter((r) => path.test(r.path)).length;
console.log(
  `# Planning a prune of ${versions.length.toLocaleString("en")} versions (${taggedCount.toLocaleString("en")} tagged indexes), node ${process.version}\n`,
);
console.log("| Measure | Result |");
console.log("| --- | --- |");
console.log(
  `| Planner alone (pure) | ${planMs.toFixed(0)} ms, heap +${((peak - heapBefore) / 1024 / 1024).toFixed(0)} MiB at peak; deletes ${plan.delete.length.toLocaleString("en")}, keeps ${plan.keep.length.toLocaleString("en")} |`,
);
console.log(
  `| Read path + plan, first run (dry run) | ${(readMs / 1000).toFixed(1)} s; peak RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB |`,
);
console.log(
  `| Version list pages | ${apiCalls(/\/packages\/container\/app\/versions/) / 2} per run (minimum ${listPages}) |`,
);
console.log(
  `| Manifest reads, first run | ${result.manifestReads.toLocaleString("en")} (minimum: the ${taggedCount.toLocaleString("en")} tagged manifests; their ${(versions.length - taggedCount).toLocaleString("en")} declared children are not downloaded) |`,
);
console.log(
  `| Manifest reads, second run | ${again.manifestReads} (cached by digest), ${(secondMs / 1000).toFixed(1)} s |`,
);
const prNumbers = new Set(versions.flatMap((v) => v.tags.filter((t) => /^pr-\d+$/.test(t))));
console.log(
  `| PR-state requests | ${(apiCalls(/\/pulls\/\d+$/) + apiCalls(/^\/graphql$/)) / 2} per run (${prNumbers.size} PR numbers the tags carry, 100 a GraphQL query: ${Math.ceil(prNumbers.size / 100)}) |`,
);
