/**
 * The re-run outcomes and the breaker at their worst: what following a re-run costs in GitHub requests,
 * what the breaker's memory holds at its caps (in process and in Redis), and what a decision spends on it.
 * Usage: node --expose-gc --import tsx bench/retry-breaker.ts
 */
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { MAX_OUTCOMES, MemoryBreakerStore, RedisBreakerStore } from "../src/retry/breaker-store.js";
import { breakerState, type RecordedOutcome } from "../src/retry/retry-breaker.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { startLocalRedis } from "../test/support/local-redis.js";
import { interceptGitHub } from "../test/support/nock-github.js";
import { REPO, SHA1, seedRepo } from "../test/support/scenario.js";
import { createTestApp } from "../test/support/test-app.js";
import { workflowRunCompleted } from "../test/support/webhooks.js";

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/job-logs/${name}`, import.meta.url), "utf8");
const FULL = "octo-org/app";

/** GitHub requests of one delivery, by route, for attempt 2 of a run Dockhand re-ran, and for the same attempt it did not. */
async function requestsOfAttempt2(rerunByDockhand: boolean, pulls: number): Promise<Record<string, number>> {
  const fake = new FakeGitHub();
  const stop = interceptGitHub(fake);
  const app = await createTestApp(fake);
  try {
    seedRepo(fake);
    const prs = Array.from({ length: pulls }, (_, i) => ({ number: 7 + i, headSha: SHA1 }));
    for (const pr of prs) fake.addPull(FULL, { number: pr.number, headRef: "feature", headSha: SHA1, headRepo: REPO });
    // Attempt 1 failed for a flake Dockhand re-runs, or for a reason it does not (a person re-ran it).
    const log = fixture(rerunByDockhand ? "buildx-push-502.log" : "write-package-denied.log");
    const job = (id: number, conclusion: "failure" | "success") => ({
      id,
      name: "build-and-push",
      conclusion,
      steps: [{ name: "Build and push", conclusion }],
      log,
    });
    fake.addRun(FULL, { id: 600, workflowId: 77, headSha: SHA1, headBranch: "feature", attempt: 1 });
    fake.setJobs(FULL, 600, 1, [job(1, "failure")]);
    const spec = { repo: REPO, id: 600, headSha: SHA1, headBranch: "feature", pullRequests: prs };
    await app.receive("workflow_run", workflowRunCompleted({ ...spec, attempt: 1, conclusion: "failure" }));
    await app.advance(3_600_000);
    if (!rerunByDockhand)
      fake.addRun(FULL, { id: 600, workflowId: 77, headSha: SHA1, headBranch: "feature", attempt: 2 });
    fake.setJobs(FULL, 600, 2, [job(2, "success")]);
    const before = fake.requests.length;
    await app.receive(
      "workflow_run",
      workflowRunCompleted({ ...spec, attempt: 2, conclusion: "success", completedAt: "2026-11-20T11:45:00Z" }),
    );
    const counts: Record<string, number> = {};
    for (const request of fake.requests.slice(before)) {
      const route = `${request.method} ${request.path.replace(/\/\d+(?=\/|$|\?)/g, "/{n}").replace(/\?.*$/, "")}`;
      counts[route] = (counts[route] ?? 0) + 1;
    }
    return counts;
  } finally {
    await app.close();
    stop();
  }
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  console.log("## Requests of a later attempt's delivery (attempt 2, one PR unless said)");
  const followed = await requestsOfAttempt2(true, 1);
  const plain = await requestsOfAttempt2(false, 1);
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const comments = (counts: Record<string, number>) =>
    Object.entries(counts)
      .filter(([route]) => route.startsWith("GET ") && route.endsWith("/comments"))
      .reduce((a, [, n]) => a + n, 0);
  console.log(
    `Dockhand's re-run: ${total(followed)} requests, ${comments(followed)} comment lists; not Dockhand's: ${total(plain)} requests, ${comments(plain)} comment lists`,
  );
  const three = await requestsOfAttempt2(true, 3);
  console.log(`Dockhand's re-run shown on 3 PRs: ${total(three)} requests, ${comments(three)} comment lists`);

  console.log("\n## breakerState on a full history (32 outcomes)");
  const history: RecordedOutcome[] = Array.from({ length: MAX_OUTCOMES }, (_, i) => ({
    outcome: i % 5 === 0 ? "failed-different" : "failed-same",
    at: Date.parse("2026-11-20T00:00:00Z") + i * 60_000,
  }));
  const policy = { enabled: true, failures: 3, windowHours: 24, cooldownHours: 24 };
  const now = Date.parse("2026-11-21T00:00:00Z");
  const calls = 100_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i += 1) breakerState(history, policy, now);
  const perCall = Number(process.hrtime.bigint() - started) / calls / 1000;
  console.log(`${perCall.toFixed(2)} µs a rule (a decision asks once per distinct transient rule)`);

  console.log("\n## The single-process store at its caps");
  const base = heapUsed();
  const memory = new MemoryBreakerStore();
  const repository = `${"o".repeat(39)}/${"r".repeat(100)}`;
  const rules = 20_000;
  // Each rule key filled to its cap in turn: the key cap keeps the newest 5,000, each full.
  for (let i = 0; i < rules; i += 1)
    for (let round = 0; round < MAX_OUTCOMES; round += 1)
      await memory.record(
        { installationId: i % 4, repository },
        `${repository}:${i}:${round}`,
        [{ rule: `rule-${"x".repeat(50)}-${i}`, outcome: "failed-same" }],
        round,
      );
  const memoryBytes = heapUsed() - base;
  // Still in use after the measurement, so that it is not collected before it.
  const kept = (
    await memory.history({ installationId: (rules - 1) % 4, repository }, `rule-${"x".repeat(50)}-${rules - 1}`)
  ).length;
  console.log(
    `${rules * MAX_OUTCOMES} outcomes over ${rules} rule keys recorded: ${(memoryBytes / 1024 / 1024).toFixed(1)} MiB held (at most 5,000 rule keys × ${MAX_OUTCOMES} outcomes and 5,000 attempts kept; the newest has ${kept})`,
  );

  console.log("\n## Redis at a rule's cap");
  const server = await startLocalRedis();
  const redis = new Redis(server.url);
  try {
    const store = new RedisBreakerStore(redis);
    const scope = { installationId: 123_456_789, repository };
    const rule = `r${"x".repeat(62)}`;
    for (let i = 0; i < 100; i += 1)
      await store.record(scope, `${repository}:${i}:1`, [{ rule, outcome: "fixed" }], Date.now());
    const [list] = await redis.keys("dockhand:retry-breaker:*");
    const [mark] = await redis.keys("dockhand:retry-outcome:*");
    const listBytes = Number(await redis.call("MEMORY", "USAGE", list!));
    const markBytes = Number(await redis.call("MEMORY", "USAGE", mark!));
    console.log(
      `a rule's list after 100 outcomes: ${await redis.llen(list!)} entries, ${listBytes} bytes; an attempt's mark: ${markBytes} bytes; both expire after 14 days`,
    );
    const rounds = 2_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < rounds; i += 1)
      await store.record(scope, `${repository}:t${i}:1`, [{ rule, outcome: "fixed" }], i);
    const recordMs = Number(process.hrtime.bigint() - t0) / rounds / 1e6;
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < rounds; i += 1) await store.history(scope, rule);
    const historyMs = Number(process.hrtime.bigint() - t1) / rounds / 1e6;
    console.log(`record: ${recordMs.toFixed(3)} ms, history of a full rule: ${historyMs.toFixed(3)} ms (loopback)`);
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

await main();
