/**
 * Bytes Dockhand reads to classify a failed job, on typical failing logs: the check run's annotations
 * first, then the log from its end in growing ranges (64 KiB, 512 KiB, 4 MiB). Runs the real app
 * against the fake GitHub (nock), one failed run per case, and reads the "retry decision" log entry.
 * Usage: tsx bench/bytes-per-decision.ts
 */
import { readFileSync } from "node:fs";
import { FakeGitHub } from "../test/support/fake-github.js";
import { interceptGitHub } from "../test/support/nock-github.js";
import { REPO, SHA1, seedRepo } from "../test/support/scenario.js";
import { createTestApp } from "../test/support/test-app.js";
import { workflowRunCompleted } from "../test/support/webhooks.js";

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/job-logs/${name}`, import.meta.url), "utf8");
const stamp = "2026-11-20T11:00:00.0000000Z ";

/** `mib` of earlier steps' output (checkout, setup, build) before the failing step. */
function padded(mib: number, failingStep: string): string {
  const line = `${stamp}#9 12.3 compiling crate serde_derive v1.0.210 (/home/runner/.cargo/registry/src/index.crates.io)`;
  const count = Math.ceil((mib * 1024 * 1024) / (line.length + 1));
  return `${stamp}##[group]Run cargo build --release\n${`${line}\n`.repeat(count)}${failingStep}`;
}

const BUILDX_ERROR =
  "buildx failed with: ERROR: failed to solve: failed to push ghcr.io/octo-org/app:pr-7: unexpected status from PUT request to https://ghcr.io/v2/octo-org/app/manifests/pr-7: 502 Bad Gateway";
const EXIT_1 = "Process completed with exit code 1.";
const longPush = [
  `${stamp}##[group]Run docker push ghcr.io/octo-org/app:pr-7`,
  `${stamp}##[endgroup]`,
  ...Array.from({ length: 12_000 }, (_, i) => `${stamp}5f70bf18a086: Pushing [=====>      ] ${i}MB/2.1GB`),
  `${stamp}EOF`,
  `${stamp}##[error]${EXIT_1}`,
].join("\n");

const cases: { name: string; log: string; annotation: string; step: string }[] = [
  {
    name: "buildx push 502 (build-push-action; annotation has the error)",
    log: padded(8, fixture("buildx-push-502.log")),
    annotation: BUILDX_ERROR,
    step: "Build and push",
  },
  {
    name: "write_package denied (annotation has the error)",
    log: padded(8, fixture("write-package-denied.log")),
    annotation: "buildx failed with: ERROR: failed to build: denied: permission_denied: write_package",
    step: "Build and push",
  },
  {
    name: "docker push EOF (annotation: exit code 1 only)",
    log: padded(8, fixture("docker-push-eof.log")),
    annotation: EXIT_1,
    step: "Push",
  },
  {
    name: "test failure with decoys (annotation: exit code 1 only)",
    log: padded(8, fixture("test-decoys.log")),
    annotation: EXIT_1,
    step: "Run tests",
  },
  { name: "docker push EOF after 1 MiB of push progress", log: padded(8, longPush), annotation: EXIT_1, step: "Push" },
];

console.log("| Failing job | Log size | Bytes read | Share of the log | Verdict (source) | Log requests |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const c of cases) {
  const fake = new FakeGitHub();
  const stop = interceptGitHub(fake);
  const app = await createTestApp(fake);
  seedRepo(fake, "report:\n  enabled: false\nretry:\n  mode: dry-run\n");
  fake.addPull("octo-org/app", { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
  fake.addRun("octo-org/app", { id: 600, workflowId: 77, headSha: SHA1, headBranch: "feature/login" });
  fake.setJobs("octo-org/app", 600, 1, [
    { id: 1, name: "build", conclusion: "failure", steps: [{ name: c.step, conclusion: "failure" }], log: c.log },
  ]);
  fake.setAnnotations(1, [{ level: "failure", message: c.annotation }]);
  await app.receive(
    "workflow_run",
    workflowRunCompleted({
      repo: REPO,
      id: 600,
      headSha: SHA1,
      headBranch: "feature/login",
      conclusion: "failure",
      pullRequests: [{ number: 7, headSha: SHA1 }],
    }),
  );
  const decision = app.logs.find((l) => l.msg === "retry decision") as
    { bytesRead: number; jobs: { verdict: string; source: string }[] } | undefined;
  await app.queue.close();
  stop();
  if (!decision) throw new Error(`no decision for ${c.name}`);
  const size = Buffer.byteLength(c.log);
  const job = decision.jobs[0];
  const ranges = fake.requests.filter((r) => r.path.startsWith("logs:")).length;
  console.log(
    `| ${c.name} | ${(size / 1024 / 1024).toFixed(1)} MiB | ${(decision.bytesRead / 1024).toFixed(1)} KiB | ${((100 * decision.bytesRead) / size).toFixed(2)} % | ${job?.verdict} (${job?.source}) | ${ranges} |`,
  );
}
