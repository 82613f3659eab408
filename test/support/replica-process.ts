import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { FakeGitHub } from "./fake-github.js";
import { freePort, waitFor } from "./net.js";
import { privateKey } from "./test-app.js";

const SECRET = "replica-secret";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ReplicaProcess {
  /** Everything the process printed so far (JSON log lines). */
  output: () => string;
  /** Signs and posts a delivery to this replica; resolves with the HTTP status. */
  send: (event: string, payload: unknown) => Promise<number>;
  /** `/readyz`: its status and checks. */
  readiness: () => Promise<{ status: number; checks: Record<string, boolean> }>;
  /** SIGSTOP: the process, its timers and its sockets stand still, as in a long pause or a frozen container. */
  freeze: () => void;
  /** SIGCONT. */
  resume: () => void;
  /** SIGTERM, then SIGKILL if it has not exited within 15 s. */
  stop: () => Promise<void>;
}

/**
 * One replica as an operator runs it, in a process of its own (the production entry, `src/main.ts`,
 * through tsx): configured only by the environment, GitHub reached over HTTP at GHE_HOST, with the
 * Octokit that ships (its write pacing clustered on REDIS_URL by Probot's connection).
 */
export async function startReplica(
  github: { host: string; fake: FakeGitHub },
  env: Record<string, string>,
): Promise<ReplicaProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      APP_ID: String(github.fake.app.id),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: github.host,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_FORMAT: "json",
      LOG_LEVEL: "debug",
      DOCKHAND_REGISTRIES: "ghcr.io",
      DOCKHAND_SWEEP: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  let delivery = 0;
  const replica: ReplicaProcess = {
    output: () => output,
    send: async (event, payload) => {
      const body = JSON.stringify(payload);
      const response = await fetch(`${url}/api/github/webhooks`, {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          "x-github-event": event,
          "x-github-delivery": `replica-${port}-${++delivery}`,
          "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
        },
      });
      await response.arrayBuffer();
      return response.status;
    },
    readiness: async () => {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      return {
        status: response.status,
        checks: ((await response.json()) as { checks: Record<string, boolean> }).checks,
      };
    },
    freeze: () => child.kill("SIGSTOP"),
    resume: () => child.kill("SIGCONT"),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitFor(async () => (await replica.readiness()).status === 200, 60_000, "the replica did not become ready");
  } catch (error) {
    await replica.stop();
    throw new Error(`${(error as Error).message}; its output:\n${output.slice(-3000)}`, { cause: error });
  }
  return replica;
}
