import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { Probot } from "probot";
import { dockhandOctokit } from "../../src/github/octokit-options.js";
import { createDockhand } from "../../src/index.js";
import { MemoryQueue } from "../../src/queue/memory-queue.js";
import type { FakeGitHub } from "./fake-github.js";
import { testSettings } from "./test-settings.js";
import { ManualClock } from "./manual-clock.js";

export const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();

export interface TestApp {
  probot: Probot;
  logs: Record<string, unknown>[];
  clock: ManualClock;
  queue: MemoryQueue;
  /** Closes the queue and write lanes (and their Redis connections in Redis mode). */
  close: () => Promise<void>;
  /** Moves the clock and waits for the jobs that became due to finish. */
  advance: (ms: number) => Promise<void>;
  receive: (name: string, payload: Record<string, unknown>, id?: string) => Promise<void>;
}

/** Time starts just after the test webhooks' runs completed (2026-11-20T11:30:00Z). */
export const TEST_START = "2026-11-20T11:30:05Z";

/**
 * Probot with the Dockhand app, pointed at a FakeGitHub, with the Octokit that ships.
 * `ownQueue`: an in-process queue even with REDIS_URL, so that each replica handles the deliveries it
 * receives (with BullMQ, either replica's worker may take a job) while locks and lanes are shared.
 */
export async function createTestApp(
  fake: FakeGitHub,
  env: Record<string, string> = {},
  options: { ownQueue?: boolean } = {},
): Promise<TestApp> {
  const clock = new ManualClock(TEST_START);
  let queue: MemoryQueue | undefined;
  const logs: Record<string, unknown>[] = [];
  const settings = testSettings(env);
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      done();
    },
  });
  const probot = new Probot({
    appId: fake.app.id,
    privateKey,
    baseUrl: fake.apiUrl,
    log: pino({ level: "debug" }, stream),
    Octokit: dockhandOctokit(settings),
  });
  // Without REDIS_URL the app's queue is the in-process one.
  let close: (() => Promise<void>) | undefined;
  await probot.load(
    createDockhand({
      // The hourly sweep ticks only in the tests about it.
      settings,
      clock,
      onStarted: (handles) => ((queue = handles.queue as MemoryQueue), (close = handles.close)),
      ...(options.ownQueue
        ? { queue: (onJob) => new MemoryQueue({ clock, log: probot.log.child({ name: "queue" }), onJob }) }
        : {}),
    }),
  );
  if (!queue) throw new Error("the app did not create its queue");
  const appQueue = queue;
  let delivery = 0;
  return {
    probot,
    logs,
    clock,
    queue: appQueue,
    close: () => close?.() ?? Promise.resolve(),
    advance: async (ms) => {
      clock.advance(ms);
      await appQueue.idle();
    },
    // A delivery is queued by the webhook path and handled by the queue's worker: wait for both.
    receive: async (name, payload, id) => {
      await probot.receive({ id: id ?? `delivery-${++delivery}`, name, payload } as Parameters<Probot["receive"]>[0]);
      if ("idle" in appQueue) await appQueue.idle();
    },
  };
}
