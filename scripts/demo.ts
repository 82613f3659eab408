/**
 * `npm run demo`: Dockhand at work in a minute, with no GitHub App. The real app (on Dockhand's
 * server, as src/main.ts runs it) runs against a local GitHub-like server and a local registry, seeded
 * with a story: a PR build pushes an image, the next push flakes and is re-run, the PR is merged and
 * its images are pruned. Webhooks are signed and posted over HTTP as GitHub would. It prints what happened and the
 * comment Dockhand wrote.
 */
import { systemClock } from "../src/queue/job-queue.js";
import { readSettings } from "../src/settings.js";
import { startHttpGitHub } from "../test/support/http-github.js";
import { FakeRegistry } from "../test/support/fake-registry.js";
import { startHttpApp } from "../test/support/http-app.js";
import { waitFor } from "../test/support/net.js";
import { REPO } from "../test/support/scenario.js";
import { pullRequestClosed, workflowRunCompleted } from "../test/support/webhooks.js";

const FULL = "octo-org/app";
const SHA = "5b1f0e3c9d2a4f6e8b7c1d0a9e8f7a6b5c4d3e2f";
const say = (text: string) => process.stdout.write(`${text}\n`);

// A local registry holding the PR's multi-arch image and a release that shares its arm64 image.
const registry = new FakeRegistry();
const served = await registry.serve();
const image = (name: string) =>
  registry.put({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: `sha256:${name.padEnd(64, "0")}`,
      size: 2,
    },
    layers: [],
  });
const index = (children: [string, string][]) =>
  registry.put({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: children.map(([digest, architecture]) => ({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest,
      size: 2,
      platform: { os: "linux", architecture },
    })),
  });
const amd = image("a1");
const arm = image("a2");
const pr = index([
  [amd, "amd64"],
  [arm, "arm64"],
]);
const release = index([[arm, "arm64"]]);
const repository = `${served.host}/octo-org/app`;
registry.tag("octo-org/app", "pr-7", pr);
registry.tag("octo-org/app", "v1.0.0", release);

// A GitHub-like server: repository, PR, runs, jobs with logs, the package.
const github = await startHttpGitHub();
const fake = github.fake;
fake.addRepo(REPO);
fake.setFile(
  FULL,
  ".github/dockhand.yml",
  "report:\n  expectedTags: ['pr-{number}']\nretry:\n  backoff: { initialSeconds: 0 }\nprune:\n  graceHours: 0\n",
);
fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA, headRepo: REPO });
const stamp = "2026-11-20T11:00:00.0000000Z";
fake.setJobs(FULL, 500, 1, [
  {
    id: 1,
    name: "build-and-push",
    conclusion: "success",
    steps: [{ name: "Build and push", conclusion: "success" }],
    log: [
      `${stamp} ##[group]Run docker/build-push-action@v6`,
      `${stamp} ##[endgroup]`,
      `${stamp} #14 pushing manifest for ${repository}:pr-7@${pr} 0.9s done`,
    ].join("\n"),
  },
]);
fake.setArtifacts(500, [{ id: 91, name: "docker-image", size_in_bytes: 123_456_789 }]);
fake.addRun(FULL, { id: 501, workflowId: 77, headSha: SHA, headBranch: "feature/login" });
fake.setJobs(FULL, 501, 1, [
  {
    id: 2,
    name: "build-and-push",
    conclusion: "failure",
    steps: [{ name: "Build and push", conclusion: "failure" }],
    log: [
      `${stamp} ##[group]Run docker/build-push-action@v6`,
      `${stamp} ##[endgroup]`,
      `${stamp} #14 pushing layers`,
      `${stamp} ##[error]buildx failed with: ERROR: failed to solve: failed to push ghcr.io/octo-org/app:pr-7: unexpected status from PUT request to https://ghcr.io/v2/octo-org/app/manifests/pr-7: 502 Bad Gateway`,
    ].join("\n"),
  },
]);
const at = Date.parse("2026-11-20T11:00:00Z");
fake.addPackage({
  owner: "octo-org",
  name: "app",
  versions: [
    { id: 11, digest: pr, createdAt: at, updatedAt: at, tags: ["pr-7"] },
    { id: 12, digest: amd, createdAt: at, updatedAt: at, tags: [] },
    { id: 13, digest: arm, createdAt: at, updatedAt: at, tags: [] },
    { id: 14, digest: release, createdAt: at, updatedAt: at, tags: ["v1.0.0"] },
  ],
});

// The real app on Dockhand's server, as src/main.ts runs it, configured through the environment.
const app = await startHttpApp(
  fake,
  {},
  {
    settings: readSettings({
      ...process.env,
      DOCKHAND_REGISTRIES: `ghcr.io,${served.host}`,
      DOCKHAND_CONTAINER_REGISTRY: served.host,
      DOCKHAND_PACKAGES_TOKEN: "ghp_demo_token",
      DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "1000",
      DOCKHAND_SWEEP: "off",
    }),
    clock: systemClock,
    logLevel: process.env.LOG_LEVEL ?? "silent",
  },
);

async function deliver(event: string, payload: object): Promise<void> {
  const status = await app.send(event, payload, `demo-${Math.random().toString(16).slice(2)}`);
  if (status < 200 || status >= 300) throw new Error(`the app answered ${status} to ${event}`);
}
const comment = () => fake.commentsOn(FULL, 7)[0]?.body ?? "";

say("▶ Dockhand demo: the real app against a local GitHub-like server and registry (no GitHub App needed)\n");
await deliver(
  "workflow_run",
  workflowRunCompleted({
    repo: REPO,
    id: 500,
    headSha: SHA,
    headBranch: "feature/login",
    pullRequests: [{ number: 7, headSha: SHA }],
  }),
);
await waitFor(() => Promise.resolve(comment().includes("pr-7")), 15_000, "no report comment");
say(`1. CI built PR #7 and pushed ${repository}:pr-7.`);
say("   Dockhand checked the digest in the registry and wrote the report comment on the PR:");
for (const line of comment()
  .split("\n")
  .filter((l) => l.includes("pr-7") || l.startsWith("docker pull") || l.startsWith("gh run download")))
  say(`     ${line}`);
say("");

await deliver(
  "workflow_run",
  workflowRunCompleted({
    repo: REPO,
    id: 501,
    headSha: SHA,
    headBranch: "feature/login",
    conclusion: "failure",
    pullRequests: [{ number: 7, headSha: SHA }],
  }),
);
await waitFor(() => Promise.resolve(fake.reruns.length > 0), 15_000, "no re-run");
say("2. The next run failed: the registry answered 502 Bad Gateway to the push.");
say(
  `   Dockhand classified it as a transient registry failure and re-ran the failed jobs (run 501, attempt ${fake.reruns[0]?.attempt ?? "?"}).\n`,
);

fake.addPull(FULL, {
  number: 7,
  headRef: "feature/login",
  headSha: SHA,
  headRepo: REPO,
  state: "closed",
  closedAt: new Date().toISOString(),
});
const closedAt = fake.pulls.get(FULL)?.find((p) => p.number === 7)?.closedAt ?? new Date().toISOString();
await deliver("pull_request", pullRequestClosed({ repo: REPO, number: 7, headSha: SHA, closedAt }));
await waitFor(() => Promise.resolve(comment().includes("Restorable until")), 30_000, "no prune");
const remaining = fake.packageVersions("octo-org", "app").map((v) => v.id);
say("3. PR #7 was merged. After the grace period (0 h in this demo; 24 h by default), Dockhand pruned its image:");
say(
  `   deleted versions ${[11, 12].filter((id) => !remaining.includes(id)).join(" and ")} (pr-7's index and its amd64 image), kept ${remaining.join(" and ")} (the arm64 image v1.0.0 shares, and v1.0.0).\n`,
);

say("─── The comment Dockhand keeps on PR #7 (markdown; the hidden state line is left out) ───\n");
say(
  comment()
    .split("\n")
    .filter((line) => !line.startsWith("<!-- dockhand:state"))
    .join("\n"),
);
say(
  `\n─── GitHub API requests Dockhand made: ${fake.requests.length}; every one matched GitHub's OpenAPI description: ${fake.violations.length === 0 ? "yes" : `no (${fake.violations.join("; ")})`}`,
);

await app.stop();
await github.close();
await served.close();
process.exit(fake.violations.length === 0 ? 0 : 1);
