/**
 * Delete throughput through one credential's write lane against GitHub's bound of one write per
 * second. The fake GitHub answers any package deletion that comes less than a second after the
 * previous one with the secondary rate limit 403, as GitHub may; the bench counts those answers.
 * For contrast, the same deletions without the lane's spacing: each rate-limited deletion is then
 * reported failed (in the app it is thrown and the prune job runs again when the limit ends). The
 * Octokit is the one that ships, its own pacing of writes off so that the lane alone is measured.
 * Usage: tsx bench/prune-deletes.ts [deletions]   (default 30)
 */
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import type { Octokit } from "../src/github/octokit.js";
import { dockhandOctokit } from "../src/github/octokit-options.js";
import { executePrune } from "../src/prune/execute-prune.js";
import type { PackageVersion } from "../src/prune/package-version.js";
import { WriteLanes } from "../src/prune/write-lanes.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { interceptGitHub } from "../test/support/nock-github.js";
import { digestOf } from "../test/support/package-state.js";

const count = Number(process.argv[2] ?? 30);

async function run(
  minTime: number,
): Promise<{ seconds: number; perSecond: number; limited: number; deleted: number; minGapMs: number }> {
  const fake = new FakeGitHub();
  fake.minDeleteIntervalMs = 1000;
  const stop = interceptGitHub(fake);
  const versions: PackageVersion[] = Array.from({ length: count + 1 }, (_, i) => ({
    id: i + 1,
    digest: digestOf(`v${i}`),
    createdAt: 0,
    updatedAt: 0,
    tags: [],
  }));
  fake.addPackage({ owner: "octo-org", name: "app", versions });
  const octokit = new (dockhandOctokit({ githubWriteIntervalMs: 0 }))({
    auth: { token: "ghp_bench" },
    log: pino({ level: "silent" }),
  }) as unknown as Octokit;
  const start = performance.now();
  const outcomes = await executePrune(
    { octokit, credential: "bench" },
    { owner: "octo-org", ownerKind: "Organization", name: "app" },
    versions.slice(0, count).map((v) => ({ id: v.id, digest: v.digest, reason: "bench" })),
    { limiter: new WriteLanes(minTime).for("bench"), log: pino({ level: "silent" }) },
  );
  const seconds = (performance.now() - start) / 1000;
  stop();
  const gaps = fake.packageDeletes.slice(1).map((d, i) => d.at - (fake.packageDeletes[i]?.at ?? 0));
  return {
    seconds,
    perSecond: count / seconds,
    limited: fake.secondaryRateLimited,
    deleted: outcomes.filter((o) => o.result === "deleted").length,
    minGapMs: Math.min(...gaps),
  };
}

const lane = await run(1000);
const unspaced = await run(0);
console.log(`# Delete throughput: ${count} deletions, node ${process.version}\n`);
console.log("| Lane | Time | Deletions/s | Bound | Secondary-rate-limit answers | Smallest gap | Deleted |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const [name, r] of [
  ["one write per second (Dockhand's lane)", lane],
  ["no spacing (contrast)", unspaced],
] as const) {
  console.log(
    `| ${name} | ${r.seconds.toFixed(1)} s | ${r.perSecond.toFixed(2)} | 1.00 | ${r.limited} | ${r.minGapMs} ms | ${r.deleted}/${count} |`,
  );
}
