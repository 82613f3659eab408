/**
 * Webhook acknowledgement latency under concurrent deliveries: the app as it runs (the webhook path
 * only queues; workers handle) against the same app handling each delivery inside the request, in the
 * same run. The app is on Dockhand's server over HTTP (as src/main.ts runs it), GitHub is the HTTP
 * fake; each delivery is a signed workflow_run.completed whose handling reads jobs, logs and artifacts
 * and writes the PR comment.
 * Usage: tsx bench/webhook-ack.ts [deliveries] [concurrency]   (default 60, 20)
 */
import { performance } from "node:perf_hooks";
import { systemClock, type JobHandler, type JobQueue } from "../src/queue/job-queue.js";
import { readSettings } from "../src/settings.js";
import { startHttpGitHub } from "../test/support/http-github.js";
import { startHttpApp } from "../test/support/http-app.js";
import { waitFor } from "../test/support/net.js";
import { buildJob, buildxLog, DIGEST_A, REPO } from "../test/support/scenario.js";
import { workflowRunCompleted } from "../test/support/webhooks.js";

const count = Number(process.argv[2] ?? 60);
const concurrency = Number(process.argv[3] ?? 20);

/** Runs each job inside `add`, so the webhook request waits for the whole handling. */
class InlineQueue implements JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  async add(kind: string, data: unknown): Promise<boolean> {
    await this.handlers.get(kind)?.(data, { checkpoint: () => Promise.resolve(), lastTry: true, mayWait: false });
    return true;
  }
  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }
  ready(): Promise<boolean> {
    return Promise.resolve(true);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function run(mode: "queued" | "in-request"): Promise<{ latencies: number[]; seconds: number; comments: number }> {
  const github = await startHttpGitHub();
  const fake = github.fake;
  fake.addRepo(REPO);
  for (let i = 0; i < count; i += 1) {
    const sha = i.toString(16).padStart(40, "0");
    fake.addPull("octo-org/app", { number: i + 1, headRef: `b${i}`, headSha: sha, headRepo: REPO });
    fake.setJobs("octo-org/app", 1000 + i, 1, [
      buildJob(i + 1, buildxLog([`ghcr.io/octo-org/app:pr-${i + 1}`], DIGEST_A)),
    ]);
  }
  // The settings an operator's environment gives (GitHub writes a second apart per installation), real
  // time; no schedules (the in-request queue would run the redelivery tick's next tick at once, forever).
  const app = await startHttpApp(
    fake,
    {},
    {
      settings: readSettings({
        ...process.env,
        DOCKHAND_REGISTRIES: "127.0.0.1:9",
        DOCKHAND_SWEEP: "off",
        DOCKHAND_REDELIVER: "off",
      }),
      clock: systemClock,
      logLevel: process.env.LOG_LEVEL ?? "silent",
      ...(mode === "in-request" ? { queue: () => new InlineQueue() } : {}),
    },
  );
  const bodies = Array.from({ length: count }, (_, i) =>
    JSON.stringify(
      workflowRunCompleted({
        repo: REPO,
        id: 1000 + i,
        headSha: i.toString(16).padStart(40, "0"),
        headBranch: `b${i}`,
      }),
    ),
  );
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const body = bodies[next] ?? "";
        next += 1;
        const t0 = performance.now();
        await app.send("workflow_run", body, `b-${next}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const comments = () => [...fake.comments.values()].filter((list) => list.length > 0).length;
  await waitFor(() => Promise.resolve(comments() === count), 300_000, "not every delivery was handled");
  const seconds = (performance.now() - started) / 1000;
  await app.stop();
  await github.close();
  return { latencies: latencies.sort((a, b) => a - b), seconds, comments: comments() };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const results = { queued: await run("queued"), "in-request": await run("in-request") };
console.log(`# Webhook acknowledgement: ${count} deliveries, ${concurrency} at a time, node ${process.version}\n`);
console.log("| Mode | p50 | p99 | max | All handled in | Comments |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const [mode, r] of Object.entries(results)) {
  console.log(
    `| ${mode === "queued" ? "queued (Dockhand)" : "handled in the request"} | ${pct(r.latencies, 50).toFixed(1)} ms | ${pct(r.latencies, 99).toFixed(1)} ms | ${(r.latencies.at(-1) ?? 0).toFixed(1)} ms | ${r.seconds.toFixed(1)} s | ${r.comments}/${count} |`,
  );
}
