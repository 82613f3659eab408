import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { dockhandOctokit } from "../../src/github/octokit-options.js";
import { createDockhand, type DockhandOptions } from "../../src/index.js";
import type { JobQueue } from "../../src/queue/job-queue.js";
import { DeliveryNotStoredError, storeDelivery, STORE_DEADLINE_MS } from "../../src/runtime/store-delivery.js";
import { FakeGitHub } from "../support/fake-github.js";
import { freePort } from "../support/net.js";
import { REPO, SHA1 } from "../support/scenario.js";
import { privateKey } from "../support/test-app.js";
import { testSettings } from "../support/test-settings.js";
import { workflowRunCompleted } from "../support/webhooks.js";

const SECRET = "store";

describe("storeDelivery", () => {
  it("answers what the queue answered", async () => {
    assert.equal(await storeDelivery(() => Promise.resolve(true)), true);
    assert.equal(await storeDelivery(() => Promise.resolve(false)), false, "the same work already queued");
  });

  it("turns a refusal into a 503", async () => {
    const refused = new Error("Connection is closed.");
    await assert.rejects(
      storeDelivery(() => Promise.reject(refused)),
      (error) => error instanceof DeliveryNotStoredError && error.status === 503 && error.cause === refused,
    );
  });

  it("turns a queue that does not answer within the deadline into a 503", async () => {
    const started = Date.now();
    // The deadline's timer does not hold the process (a server does); this test must.
    const alive = setTimeout(() => undefined, 5000);
    await assert.rejects(
      storeDelivery(() => new Promise<boolean>(() => undefined), 100).finally(() => clearTimeout(alive)),
      (error) => error instanceof DeliveryNotStoredError && error.status === 503,
    );
    assert.ok(Date.now() - started < 1000);
  });

  it("is shorter than Probot's 202 (9 s) and GitHub's timeout (10 s)", () => {
    assert.ok(STORE_DEADLINE_MS < 9000);
  });
});

/** A queue that never answers an add: Redis unreachable, ioredis holding the command while it reconnects. */
const hangingQueue: JobQueue = {
  add: () => new Promise<boolean>(() => undefined),
  handle: () => undefined,
  ready: () => Promise.resolve(false),
  close: () => Promise.resolve(),
};

/** The app on Probot's server, its webhook middleware answering: the status a signed delivery gets, and when. */
async function deliver(
  options: DockhandOptions,
  env: Record<string, string> = {},
): Promise<{ status: number; ms: number }> {
  const fake = new FakeGitHub();
  const port = await freePort();
  const settings = testSettings(env);
  const server = new Server({
    Probot: Probot.defaults({
      appId: fake.app.id,
      privateKey,
      secret: SECRET,
      baseUrl: fake.apiUrl,
      Octokit: dockhandOctokit(settings),
    }),
    host: "127.0.0.1",
    port,
    log: pino({ level: "silent" }),
  });
  let close: (() => Promise<void>) | undefined;
  await server.load(createDockhand({ settings, ...options, onStarted: (handles) => (close = handles.close) }));
  await server.start();
  try {
    const body = JSON.stringify(workflowRunCompleted({ repo: REPO, id: 1, headSha: SHA1, headBranch: "b" }));
    const started = Date.now();
    const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "x-github-event": "workflow_run",
        "x-github-delivery": "not-stored",
        "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
      },
    });
    await response.arrayBuffer();
    return { status: response.status, ms: Date.now() - started };
  } finally {
    await server.stop();
    // A queue on an unreachable Redis may never finish closing.
    await Promise.race([close?.(), new Promise((resolve) => setTimeout(resolve, 2000))]);
  }
}

describe("the webhook path when the queue cannot take a delivery", () => {
  it("answers 503 when the queue does not answer (not Probot's 202 after 9 s)", async () => {
    const { status, ms } = await deliver({ queue: () => hangingQueue });
    assert.equal(status, 503, `after ${ms} ms`);
    assert.ok(ms < 9000, "answered before Probot's 202");
  });

  it("answers 503 with Redis unreachable (a closed port)", async () => {
    const closed = await freePort();
    assert.equal((await deliver({}, { REDIS_URL: `redis://127.0.0.1:${closed}` })).status, 503);
  });

  it("answers 503 while shutting down (an in-process queue drops what waits when it closes)", async () => {
    assert.equal((await deliver({ lifecycle: { draining: true } })).status, 503);
  });

  it("answers 200 when the delivery is queued", async () => {
    assert.equal((await deliver({})).status, 200);
  });
});
