import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { Probot } from "probot";
import { dockhandOctokit } from "../../src/github/octokit-options.js";
import { createDockhand, type DockhandOptions } from "../../src/index.js";
import { startHttpServer, type Handler } from "../../src/server/http-server.js";
import { webhookHandler } from "../../src/server/webhook-handler.js";
import type { Clock, JobQueue } from "../../src/queue/job-queue.js";
import type { MemoryQueue } from "../../src/queue/memory-queue.js";
import type { Settings } from "../../src/settings.js";
import { postDelivery } from "./deliveries.js";
import { testSettings } from "./test-settings.js";
import type { FakeGitHub } from "./fake-github.js";
import { ManualClock } from "./manual-clock.js";
import { privateKey, TEST_START } from "./test-app.js";

export const HTTP_SECRET = "http-app-secret";

export interface HttpAppOptions<Q extends JobQueue, C extends Clock> {
  /** The operator's settings; default the tests' (test-settings.ts) with `env`. */
  settings?: Settings;
  /** Default a ManualClock at TEST_START, which the test moves; benchmarks and the demo take the system's. */
  clock?: C;
  /** Another queue than the app's own, given the runtime's job observer (a test's tries and slots, a benchmark's). */
  queue?: (onJob: Parameters<NonNullable<DockhandOptions["queue"]>>[0], clock: C) => Q;
  /** Default silent. */
  logLevel?: string;
}

export interface HttpApp<Q extends JobQueue = MemoryQueue, C extends Clock = ManualClock> {
  url: string;
  clock: C;
  queue: Q;
  /** Signs and posts a delivery (a payload, or a body's text) as GitHub does; resolves with the HTTP status once the app answered. */
  send: (event: string, payload: unknown, id?: string) => Promise<number>;
  stop: () => Promise<void>;
}

/**
 * The real app on Dockhand's HTTP server (as src/main.ts runs it), pointed at a FakeGitHub served over
 * HTTP: deliveries arrive signed over the network, as GitHub sends them; the Octokit that ships.
 */
export async function startHttpApp<Q extends JobQueue = MemoryQueue, C extends Clock = ManualClock>(
  fake: FakeGitHub,
  env: Record<string, string> = {},
  options: HttpAppOptions<Q, C> = {},
): Promise<HttpApp<Q, C>> {
  // Without a clock C is ManualClock, its default.
  const clock = options.clock ?? (new ManualClock(TEST_START) as Clock as C);
  let queue: JobQueue | undefined;
  let close: (() => Promise<void>) | undefined;
  const settings = options.settings ?? testSettings(env);
  const probot = new Probot({
    appId: fake.app.id,
    privateKey,
    secret: HTTP_SECRET,
    baseUrl: fake.apiUrl,
    log: pino({ level: options.logLevel ?? "silent" }),
    Octokit: dockhandOctokit(settings),
  });
  const handlers: Handler[] = [];
  await probot.load(
    createDockhand({
      settings,
      clock,
      ...(options.queue ? { queue: (onJob) => options.queue!(onJob, clock) } : {}),
      onStarted: (handles) => ((queue = handles.queue), (close = handles.close)),
    }),
    {
      cwd: process.cwd(),
      addHandler: (handler) => handlers.push(handler),
    },
  );
  // As src/main.ts serves it: Dockhand's HTTP server, the webhook edge first.
  const server = await startHttpServer({
    host: "127.0.0.1",
    port: 0,
    handlers: [
      await webhookHandler(probot, probot.log, { secret: HTTP_SECRET, readBytes: settings.webhookReadBytes }),
      ...handlers,
    ],
    log: probot.log,
  });
  if (!queue) throw new Error("the app did not create its queue");
  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  let delivery = 0;
  return {
    url,
    clock,
    // The queue `options.queue` made, else the app's own MemoryQueue (no REDIS_URL in tests).
    queue: queue as Q,
    send: (event, payload, id) =>
      postDelivery(url, HTTP_SECRET, { event, payload, id: id ?? `http-delivery-${++delivery}` }),
    stop: async () => {
      await server.close();
      await close?.();
    },
  };
}
