import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { Probot } from "probot";
import { dockhandOctokit } from "../../src/github/octokit-options.js";
import { createDockhand } from "../../src/index.js";
import { startHttpServer, type Handler } from "../../src/server/http-server.js";
import { webhookHandler } from "../../src/server/webhook-handler.js";
import type { MemoryQueue } from "../../src/queue/memory-queue.js";
import { testSettings } from "./test-settings.js";
import type { FakeGitHub } from "./fake-github.js";
import { ManualClock } from "./manual-clock.js";
import { privateKey, TEST_START } from "./test-app.js";

export const HTTP_SECRET = "http-app-secret";

export interface HttpApp {
  url: string;
  clock: ManualClock;
  queue: MemoryQueue;
  /** Signs and posts a delivery as GitHub does; resolves with the HTTP status once the app answered. */
  send: (event: string, payload: unknown, id?: string) => Promise<number>;
  stop: () => Promise<void>;
}

/**
 * The real app on Dockhand's HTTP server (as src/main.ts runs it), pointed at a FakeGitHub served over
 * HTTP: deliveries arrive signed over the network, as GitHub sends them; the Octokit that ships.
 */
export async function startHttpApp(fake: FakeGitHub, env: Record<string, string> = {}): Promise<HttpApp> {
  const clock = new ManualClock(TEST_START);
  let queue: MemoryQueue | undefined;
  let close: (() => Promise<void>) | undefined;
  const settings = testSettings(env);
  const probot = new Probot({
    appId: fake.app.id,
    privateKey,
    secret: HTTP_SECRET,
    baseUrl: fake.apiUrl,
    log: pino({ level: "silent" }),
    Octokit: dockhandOctokit(settings),
  });
  const handlers: Handler[] = [];
  await probot.load(
    createDockhand({
      settings,
      clock,
      onStarted: (handles) => ((queue = handles.queue as MemoryQueue), (close = handles.close)),
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
    handlers: [await webhookHandler(probot, probot.log, { secret: HTTP_SECRET }), ...handlers],
    log: probot.log,
  });
  if (!queue) throw new Error("the app did not create its queue");
  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  let delivery = 0;
  return {
    url,
    clock,
    queue,
    send: async (event, payload, id) => {
      const body = JSON.stringify(payload);
      const response = await fetch(`${url}/api/github/webhooks`, {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          "x-github-event": event,
          "x-github-delivery": id ?? `http-delivery-${++delivery}`,
          "x-hub-signature-256": `sha256=${createHmac("sha256", HTTP_SECRET).update(body).digest("hex")}`,
        },
      });
      await response.arrayBuffer();
      return response.status;
    },
    stop: async () => {
      await server.close();
      await close?.();
    },
  };
}
