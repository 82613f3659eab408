import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { Redis } from "ioredis";
import { pino } from "pino";
import { Probot } from "probot";
import { dockhandOctokit } from "../../src/github/octokit-options.js";
import type { Octokit } from "../../src/github/octokit.js";
import { Metrics } from "../../src/ops/metrics.js";
import { OVERLAP_MS } from "../../src/redeliver/plan-redeliveries.js";
import { redeliverFailed, type RedeliverDependencies } from "../../src/redeliver/redeliver-failed.js";
import {
  MemoryRedeliveryState,
  RedisRedeliveryState,
  type RedeliveryState,
} from "../../src/redeliver/redelivery-state.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { startHttpGitHub } from "../support/http-github.js";
import { startLocalRedis } from "../support/local-redis.js";
import { freePort } from "../support/net.js";
import { REPO, SHA1 } from "../support/scenario.js";
import { privateKey } from "../support/test-app.js";
import { testSettings } from "../support/test-settings.js";
import { pullRequestClosed, workflowRunCompleted } from "../support/webhooks.js";

const HANDLED = new Set(["workflow_run.completed", "pull_request.closed"]);
const HOUR = 3600 * 1000;
const ATTEMPTS = /^\/app\/hook\/deliveries\/(\d+)\/attempts$/;

describe("the recovery loop against the GitHub-like server", () => {
  let github: Awaited<ReturnType<typeof startHttpGitHub>>;
  let fake: FakeGitHub;
  let probot: Probot;
  let up: Server;
  let upUrl: string;
  let downUrl: string;
  let metrics: Metrics;

  before(async () => {
    up = createServer((request, response) => {
      request.resume().once("end", () => response.writeHead(200).end("ok"));
    });
    await new Promise<void>((resolve) => up.listen(0, "127.0.0.1", resolve));
    upUrl = `http://127.0.0.1:${(up.address() as AddressInfo).port}/api/github/webhooks`;
    downUrl = `http://127.0.0.1:${await freePort()}/api/github/webhooks`;
  });
  after(() => new Promise<void>((resolve) => up.close(() => resolve())));

  beforeEach(async () => {
    await github?.close();
    github = await startHttpGitHub();
    fake = github.fake;
    probot = new Probot({
      appId: fake.app.id,
      privateKey,
      baseUrl: fake.apiUrl,
      log: pino({ level: "silent" }),
      Octokit: dockhandOctokit(testSettings()),
    });
    metrics = new Metrics();
  });
  after(() => github.close());

  function deps(state: RedeliveryState, overrides: Partial<RedeliverDependencies> = {}): RedeliverDependencies {
    return {
      appOctokit: async () => (await probot.auth()) as Octokit,
      state,
      now: () => Date.now(),
      handled: HANDLED,
      limits: { lookbackMs: 3 * HOUR, maxPerRun: 1000, maxPerDelivery: 3 },
      metrics,
      log: pino({ level: "silent" }),
      ...overrides,
    };
  }

  /** Sends `count` deliveries of a workflow_run.completed (or another action) to wherever the target is now. */
  async function send(count: number, url: string, action = "completed"): Promise<string[]> {
    fake.webhookTarget = { url, secret: "s" };
    const guids: string[] = [];
    for (let n = 0; n < count; n += 1) {
      const payload = workflowRunCompleted({ repo: REPO, id: 1000 + n, headSha: SHA1, headBranch: "b" });
      guids.push((await fake.sendWebhook("workflow_run", { ...payload, action })).guid);
    }
    return guids;
  }

  /** The guids GitHub was asked to redeliver, in order. */
  function asked(): string[] {
    return fake.requests
      .filter((r) => r.method === "POST" && ATTEMPTS.test(r.path))
      .map((r) => fake.hookDeliveries.find((d) => d.id === Number(ATTEMPTS.exec(r.path)![1]))!.guid);
  }

  async function value(counter: { get: () => Promise<{ values: { value: number }[] }> }): Promise<number> {
    return (await counter.get()).values[0]?.value ?? 0;
  }

  it("asks for exactly the failed deliveries of the events it handles, across pages, and counts them recovered", async () => {
    await send(130, upUrl);
    const failed = await send(110, downUrl);
    await send(5, downUrl, "requested");
    const closed = pullRequestClosed({ repo: REPO, number: 7, headSha: SHA1, closedAt: "2026-11-20T12:00:00Z" });
    fake.webhookTarget = { url: downUrl, secret: "s" };
    const late = (await fake.sendWebhook("pull_request", closed)).guid;
    // Failed once, then delivered when GitHub sent it again: nothing to ask for.
    const healed = (await send(1, downUrl))[0]!;
    fake.webhookTarget = { url: upUrl, secret: "s" };
    await fake.sendWebhook("workflow_run", {}, healed);

    const state = new MemoryRedeliveryState(() => Date.now());
    const run = await redeliverFailed(deps(state));
    assert.equal(run.listed, 130 + 110 + 5 + 1 + 2);
    assert.deepEqual(asked().sort(), [...failed, late].sort(), "the failed handled deliveries, each once");
    assert.equal(fake.countRequests("GET", /^\/app\/hook\/deliveries\?/), 3, "three pages of 100");
    assert.equal(await value(metrics.deliveriesFailed), 111);
    assert.equal(await value(metrics.redeliveriesRequested), 111);
    await fake.deliveriesSettled();

    const again = await redeliverFailed(deps(state));
    assert.deepEqual(again.requested, [], "nothing more to ask for");
    assert.equal(again.plan.recovered.length, 111);
    assert.equal(await value(metrics.deliveriesRecovered), 111);
    await redeliverFailed(deps(state));
    assert.equal(await value(metrics.deliveriesRecovered), 111, "each counted once");
    assert.equal(await value(metrics.deliveriesFailed), 111, "each counted once");
    assert.deepEqual(fake.violations, []);
  });

  it("asks at most maxPerRun a run, those never asked first, and at most maxPerDelivery times in all", async () => {
    const failed = await send(5, downUrl);
    const state = new MemoryRedeliveryState(() => Date.now());
    const limits = { lookbackMs: 3 * HOUR, maxPerRun: 2, maxPerDelivery: 2 };
    const perRun: string[][] = [];
    for (let run = 0; run < 8; run += 1) {
      perRun.push((await redeliverFailed(deps(state, { limits }))).requested);
      await fake.deliveriesSettled();
    }
    assert.deepEqual(perRun.slice(0, 3), [
      [failed[0], failed[1]],
      [failed[2], failed[3]],
      [failed[4], failed[0]],
    ]);
    assert.equal(asked().length, 10, "5 deliveries × 2 redeliveries");
    for (const guid of failed) assert.equal(asked().filter((g) => g === guid).length, 2);
    assert.deepEqual(perRun.slice(5), [[], [], []]);
  });

  it("does not ask again while GitHub has not attempted the redelivery it took", async () => {
    const [guid] = await send(1, downUrl);
    const state = new MemoryRedeliveryState(() => Date.now());
    // GitHub takes the request but has not delivered yet: the fake's redelivery is held back.
    fake.webhookTarget = undefined;
    const first = await redeliverFailed(deps(state));
    assert.deepEqual(first.requested, [guid]);
    const second = await redeliverFailed(deps(state));
    assert.deepEqual(second.requested, []);
    assert.deepEqual(second.plan.waiting, [guid]);
    assert.equal(asked().length, 1);
  });

  it("starts where the last run started (less the overlap), or the look-back after a start", async () => {
    const now = Date.now();
    fake.deliveryClock = () => now - 2 * HOUR;
    const old = await send(1, downUrl);
    await send(250, upUrl);
    fake.deliveryClock = () => now - 60_000;
    const recent = await send(1, downUrl);

    const state = new MemoryRedeliveryState(() => now);
    await state.saveCheckpoint(now - HOUR);
    const run = await redeliverFailed(deps(state, { now: () => now }));
    assert.deepEqual(run.requested, recent, "only what failed since the checkpoint");
    assert.equal(fake.countRequests("GET", /^\/app\/hook\/deliveries\?/), 1, "one page reaches back past it");
    assert.equal(await state.checkpoint(), now - OVERLAP_MS);

    const short = await redeliverFailed(
      deps(new MemoryRedeliveryState(() => now), {
        now: () => now,
        limits: { lookbackMs: HOUR, maxPerRun: 100, maxPerDelivery: 3 },
      }),
    );
    assert.deepEqual(short.requested, recent, "the look-back of an hour does not reach the older one");
    const long = await redeliverFailed(deps(new MemoryRedeliveryState(() => now), { now: () => now }));
    assert.deepEqual(long.requested.sort(), [...old, ...recent].sort(), "three hours do");
  });

  it("counts a request GitHub refused as asked, and gives back one GitHub failed, for the next run", async () => {
    const [refused, failedOnce, fine] = await send(3, downUrl);
    const state = new MemoryRedeliveryState(() => Date.now());
    const idOf = (guid: string | undefined) => fake.hookDeliveries.find((d) => d.guid === guid)!.id;
    fake.fail("POST", new RegExp(`/deliveries/${idOf(refused)}/attempts$`), {
      status: 422,
      body: { message: "Validation Failed", documentation_url: "https://docs.github.com/rest" },
    });
    fake.fail("POST", new RegExp(`/deliveries/${idOf(failedOnce)}/attempts$`), {
      status: 502,
      body: { message: "Server Error" },
    });
    await assert.rejects(redeliverFailed(deps(state)), (error: { status?: number }) => error.status === 502);
    const next = await redeliverFailed(deps(state));
    assert.deepEqual(next.requested, [failedOnce, fine]);
    assert.equal(await value(metrics.redeliveriesRequested), 2);
    assert.equal((await state.records([refused!])).get(refused!)?.requests, 1, "the refused one counts as asked");
  });

  describe("with Redis", () => {
    let redis: Awaited<ReturnType<typeof startLocalRedis>>;
    const clients: Redis[] = [];
    before(async () => {
      redis = await startLocalRedis();
    });
    after(async () => {
      for (const client of clients) client.disconnect();
      await redis.stop();
    });
    const connect = () => {
      const client = new Redis(redis.url);
      clients.push(client);
      return client;
    };

    it("two runs at once (two replicas) ask for each failed delivery once, and the checkpoint is shared", async () => {
      const failed = await send(20, downUrl);
      fake.webhookTarget = undefined;
      const prefix = `test-${Date.now()}`;
      const [a, b] = [new RedisRedeliveryState(connect(), prefix), new RedisRedeliveryState(connect(), prefix)];
      const now = Date.now();
      const runs = await Promise.all([a, b].map((state) => redeliverFailed(deps(state, { now: () => now }))));
      assert.deepEqual([...runs[0]!.requested, ...runs[1]!.requested].sort(), [...failed].sort());
      assert.deepEqual(asked().sort(), [...failed].sort(), "each asked for once");
      assert.equal(await value(metrics.deliveriesFailed), 20, "each counted once");
      assert.equal(await new RedisRedeliveryState(connect(), prefix).checkpoint(), now - OVERLAP_MS);
    });
  });
});
