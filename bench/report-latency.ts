/**
 * Time to comment: the real app (Dockhand's HTTP server, signed deliveries, the Octokit that ships)
 * against the HTTP fake GitHub answering every request `latency` ms late (about what an installation
 * sees from a cloud host), and a registry answering as late. One same-repository PR whose run pushed
 * an image by buildx, with a config file, an expected tag and an artifact; then a second run on the same
 * PR. For each delivery: the time from sending it to the comment's write being answered, the GitHub
 * requests the job made, and the sequential GitHub round trips up to the comment (the longest chain of
 * requests each sent after the previous one's answer: test/support/round-trips.ts).
 * Usage: tsx bench/report-latency.ts [latencyMs] [--timeline]   (default 200)
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { FakeRegistry } from "../test/support/fake-registry.js";
import { startHttpApp } from "../test/support/http-app.js";
import { startHttpGitHub } from "../test/support/http-github.js";
import { sequentialRoundTrips, type Exchange } from "../test/support/round-trips.js";
import type { RepoSpec } from "../test/support/fake-github.js";
import { buildJob, buildxLog, REPO } from "../test/support/scenario.js";
import { workflowRunCompleted } from "../test/support/webhooks.js";

const latencyMs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200);
const showTimeline = process.argv.includes("--timeline");
const REPO_WITHOUT_CONFIG: RepoSpec = { owner: REPO.owner, name: "lib", id: 1003 };
const SHA = "7".repeat(40);

const registry = new FakeRegistry();
const digest = registry.put({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"c".repeat(64)}`, size: 2 },
  layers: [],
});
const served = await registry.serve({ latencyMs });
const imageOf = (repo: RepoSpec) => `${served.host}/${repo.owner}/${repo.name}`;

const github = await startHttpGitHub({ latencyMs });
const fake = github.fake;
fake.addRepo(REPO).addRepo(REPO_WITHOUT_CONFIG);
fake.setFile(
  `${REPO.owner}/${REPO.name}`,
  ".github/dockhand.yml",
  `report:\n  expectedTags: ["pr-{number}"]\n  images: ["${imageOf(REPO)}"]\n`,
);
// The fake loads GitHub's OpenAPI description on its first request: not GitHub's time, so before any delivery.
await fetch(`http://${github.host}/api/v3/app`).then((response) => response.arrayBuffer());
const app = await startHttpApp(fake, { DOCKHAND_REGISTRIES: served.host, DOCKHAND_GITHUB_WRITE_INTERVAL_MS: "1000" });

const isWrite = (e: Exchange) => /^(POST|PATCH)$/.test(e.method) && /\/issues\/.*comments/.test(e.path);

interface Delivery {
  label: string;
  ms: number;
  requests: number;
  roundTrips: number;
  registryReads: number;
  exchanges: Exchange[];
  t0: number;
}

/**
 * One successful run of `jobs` image-building jobs on PR `pull` of `repo`, each pushing `pr-<pull>`,
 * delivered for installation `installationId`.
 */
async function deliver(
  label: string,
  repo: RepoSpec,
  pull: number,
  runId: number,
  { jobs = 1, installationId = 1 } = {},
): Promise<Delivery> {
  const full = `${repo.owner}/${repo.name}`;
  const image = `${imageOf(repo)}:pr-${pull}`;
  fake.addPull(full, { number: pull, headRef: `feature-${pull}`, headSha: SHA, headRepo: repo });
  registry.tag(`${repo.owner}/${repo.name}`, `pr-${pull}`, digest);
  fake.setJobs(
    full,
    runId,
    1,
    Array.from({ length: jobs }, (_, i) => ({
      ...buildJob(runId * 10 + i, buildxLog([image], digest)),
      name: `image-${i}`,
    })),
  );
  fake.setArtifacts(runId, [{ id: runId, name: "image.tar", size_in_bytes: 2048 }]);
  // New comments are paced 3 s apart per installation (as shipped): deliveries that far apart meet no wait.
  if (github.exchanges.some(isWrite)) await sleep(3_000);
  const first = github.exchanges.length;
  const reads = registry.reads;
  const payload = workflowRunCompleted({
    repo,
    id: runId,
    headSha: SHA,
    headBranch: `feature-${pull}`,
    installationId,
  });
  const t0 = performance.now();
  const status = await app.send("workflow_run", payload);
  if (status !== 200) throw new Error(`the delivery was answered ${status}`);
  // The delivery's job is due now: the queue runs it to its end.
  await app.queue.idle();
  const exchanges = github.exchanges.slice(first);
  const write = exchanges.find(isWrite);
  if (!write) throw new Error(`${label}: no comment was written`);
  const comment = fake.commentsOn(full, pull)[0]?.body ?? "";
  if (!comment.includes(`:pr-${pull}`)) throw new Error(`${label}: the comment does not show the image`);
  return {
    label,
    ms: write.end - t0,
    requests: exchanges.length,
    roundTrips: sequentialRoundTrips(exchanges.filter((e) => e.end <= write.end)),
    registryReads: registry.reads - reads,
    exchanges,
    t0,
  };
}

const results = [
  await deliver("first delivery after start: a new comment (token and app id fetched)", REPO, 7, 501),
  await deliver("another installation's first delivery: a new comment (its token fetched)", REPO, 9, 505, {
    installationId: 2,
  }),
  await deliver("the next run of the first PR: the comment updated (token, app id cached)", REPO, 7, 502),
  await deliver("a run of three image jobs on another PR (three logs)", REPO, 8, 503, { jobs: 3 }),
  await deliver(
    "a PR in a repository without .github/dockhand.yml (the owner's .github asked too)",
    REPO_WITHOUT_CONFIG,
    3,
    504,
  ),
];
await app.stop();
await github.close();
await served.close();
if (fake.violations.length > 0) throw new Error(`fake GitHub saw invalid requests: ${fake.violations.join("; ")}`);

console.log(
  `# Time to comment: same-repository PRs, GitHub and the registry ${latencyMs} ms away, node ${process.version}\n`,
);
console.log(
  "| Delivery | Time to comment | GitHub requests | Sequential round trips to the comment | Registry reads |",
);
console.log("| --- | --- | --- | --- | --- |");
for (const r of results)
  console.log(`| ${r.label} | ${(r.ms / 1000).toFixed(2)} s | ${r.requests} | ${r.roundTrips} | ${r.registryReads} |`);
if (showTimeline)
  for (const r of results) {
    console.log(`\n${r.label}:`);
    for (const e of r.exchanges)
      console.log(
        `  ${(e.start - r.t0).toFixed(0).padStart(5)} → ${(e.end - r.t0).toFixed(0).padStart(5)} ms  ${e.method} ${e.path.replace(/\?.*/, "")} ${e.status ?? ""}`,
      );
  }
