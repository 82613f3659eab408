/**
 * The recovery loop's worst cases: deciding over the most one run reads (100 pages of 100 attempts),
 * and one run against the HTTP fake GitHub after a burst of failed deliveries: requests, the pace of
 * the redelivery requests, and how long the run takes.
 * Usage: tsx bench/redelivery.ts [failed deliveries] [write interval ms]   (default 300, 250)
 */
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { Probot } from "probot";
import { dockhandOctokit } from "../src/github/octokit-options.js";
import type { Octokit } from "../src/github/octokit.js";
import { Metrics } from "../src/ops/metrics.js";
import { MAX_PAGES } from "../src/redeliver/list-deliveries.js";
import { planRedeliveries, type DeliveryAttempt } from "../src/redeliver/plan-redeliveries.js";
import { redeliverFailed } from "../src/redeliver/redeliver-failed.js";
import { MemoryRedeliveryState } from "../src/redeliver/redelivery-state.js";
import { readSettings } from "../src/settings.js";
import { startHttpGitHub } from "../test/support/http-github.js";
import { freePort } from "../test/support/net.js";
import { REPO } from "../test/support/scenario.js";
import { privateKey } from "../test/support/test-app.js";
import { workflowRunCompleted } from "../test/support/webhooks.js";

const failedCount = Number(process.argv[2] ?? 300);
const writeIntervalMs = Number(process.argv[3] ?? 250);
const HANDLED = new Set(["workflow_run.completed", "pull_request.closed"]);

// 1. The decision over the most one run reads: 10,000 attempts, half of them failed, two per guid.
{
  const now = Date.now();
  const attempts: DeliveryAttempt[] = [];
  for (let i = 0; i < MAX_PAGES * 100; i += 1) {
    attempts.push({
      id: i,
      guid: `g${Math.floor(i / 2)}`,
      deliveredAt: now - i * 1000,
      statusCode: i % 4 < 2 ? 0 : 200,
      event: "workflow_run",
      action: "completed",
    });
  }
  const runs = 20;
  let plan = planRedeliveries({
    attempts,
    now,
    handled: HANDLED,
    records: new Map(),
    maxPerRun: 100,
    maxPerDelivery: 3,
  });
  const started = performance.now();
  for (let run = 0; run < runs; run += 1)
    plan = planRedeliveries({ attempts, now, handled: HANDLED, records: new Map(), maxPerRun: 100, maxPerDelivery: 3 });
  const ms = (performance.now() - started) / runs;
  console.log(
    `decision over ${attempts.length} attempts (${plan.failed.length} failed guids): ${ms.toFixed(1)} ms; ` +
      `${plan.redeliver.length} asked for, ${plan.deferred.length} deferred`,
  );
}

// 2. One run after a burst: 1,000 delivered, `failedCount` failed (the app down), against the HTTP fake.
{
  const github = await startHttpGitHub();
  const fake = github.fake;
  const down = `http://127.0.0.1:${await freePort()}/api/github/webhooks`;
  fake.webhookTarget = { url: down, secret: "bench" };
  const payload = workflowRunCompleted({ repo: REPO, id: 1, headSha: "1".repeat(40), headBranch: "b" });
  for (let i = 0; i < failedCount; i += 1) await fake.sendWebhook("workflow_run", payload);
  for (const record of fake.hookDeliveries.slice(-Math.min(1000, failedCount))) {
    // Delivered attempts as GitHub lists them (a 200 each), newest last.
    fake.hookDeliveries.push({
      ...record,
      id: record.id + 1_000_000,
      guid: `${record.guid}-ok`,
      status: "OK",
      status_code: 200,
    });
  }
  fake.webhookTarget = undefined; // GitHub takes each request; the app is still down.
  const settings = readSettings({ DOCKHAND_GITHUB_WRITE_INTERVAL_MS: String(writeIntervalMs) });
  const probot = new Probot({
    appId: fake.app.id,
    privateKey,
    baseUrl: fake.apiUrl,
    log: pino({ level: "silent" }),
    Octokit: dockhandOctokit(settings),
  });
  const started = performance.now();
  const run = await redeliverFailed({
    appOctokit: async () => (await probot.auth()) as Octokit,
    state: new MemoryRedeliveryState(() => Date.now()),
    now: () => Date.now(),
    handled: HANDLED,
    limits: settings.redeliver,
    metrics: new Metrics(),
    log: pino({ level: "silent" }),
  });
  const seconds = (performance.now() - started) / 1000;
  const posts = fake.requests.filter((r) => r.method === "POST" && r.path.endsWith("/attempts")).length;
  const pages = fake.requests.filter((r) => r.method === "GET" && r.path.startsWith("/app/hook/deliveries")).length;
  console.log(
    `one run over ${run.listed} attempts (${failedCount} failed): ${pages} page reads, ${posts} redelivery requests ` +
      `(cap ${settings.redeliver.maxPerRun}), ${run.plan.deferred.length} deferred, ${seconds.toFixed(1)} s ` +
      `at one write per ${writeIntervalMs} ms (${((seconds * 1000) / Math.max(1, posts)).toFixed(0)} ms a request)`,
  );
  await github.close();
}
