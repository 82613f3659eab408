import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import dockhand from "../../src/index.js";
import type { FakeGitHub } from "./fake-github.js";

export const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();

export interface TestApp {
  probot: Probot;
  logs: Record<string, unknown>[];
  receive: (name: string, payload: Record<string, unknown>, id?: string) => Promise<void>;
}

/**
 * Probot with the Dockhand app, pointed at a FakeGitHub. Retries and throttling are off in the
 * function form of `defaults` (the object form does not turn throttling off; see platform-facts).
 */
export async function createTestApp(fake: FakeGitHub, env: Record<string, string> = {}): Promise<TestApp> {
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      done();
    },
  });
  const saved = { ...process.env };
  Object.assign(process.env, { DOCKHAND_REGISTRIES: "ghcr.io", ...env });
  const probot = new Probot({
    appId: fake.app.id,
    privateKey,
    baseUrl: fake.apiUrl,
    log: pino({ level: "debug" }, stream),
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  await probot.load(dockhand);
  process.env = saved;
  let delivery = 0;
  return {
    probot,
    logs,
    receive: (name, payload, id) =>
      probot.receive({ id: id ?? `delivery-${++delivery}`, name, payload } as Parameters<Probot["receive"]>[0]),
  };
}
