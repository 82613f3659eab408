import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { postDelivery, type Delivery } from "./deliveries.js";
import type { FakeGitHub } from "./fake-github.js";
import { freePort, waitFor } from "./net.js";
import { privateKey } from "./test-app.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** GitHub faked over HTTP (test/support/http-github.ts): the app reaches it at GHE_HOST. */
export interface HttpGitHubAddress {
  host: string;
  fake: FakeGitHub;
}

export interface AppProcessOptions {
  /** The command, run in the repository's root; default the built app, `node dist/src/main.js`. */
  command?: [string, ...string[]];
  /** Set over the common environment (see `spawnApp`); undefined leaves a variable out. */
  env?: Record<string, string | undefined>;
  /** Its own process group, so that a signal to `-pid` reaches what npm started too. */
  detached?: boolean;
  /** Resolve once this path answers 200 (default /ping), or at once (false). */
  readyPath?: string | false;
  readyTimeoutMs?: number;
  /** Keep what it prints (default true; false for a process that logs hundreds of MiB). */
  keepOutput?: boolean;
  /** Listen here instead of on a free port: an app started again where GitHub still sends its webhooks. */
  port?: number;
}

export interface AppProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** What it printed so far, each stream apart and both together. */
  stdout: string;
  stderr: string;
  output: () => string;
  /** Exited, and everything it wrote has been read ("close"): its exit code. */
  exited: Promise<number | null>;
  /** Signs (with its WEBHOOK_SECRET) and posts a delivery; resolves with the HTTP status. */
  send: (delivery: Omit<Delivery, "id"> & { id?: string }) => Promise<number>;
}

/**
 * The app in a process of its own, as an operator runs it, on a free port and configured only by the
 * environment: GitHub at GHE_HOST over HTTP, JSON logs at info, ghcr.io the allowed registry, no sweep;
 * no WEBHOOK_SECRET unless `env` gives one (a start without one is a case of its own).
 */
export async function spawnApp(github: HttpGitHubAddress, options: AppProcessOptions = {}): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    APP_ID: String(github.fake.app.id),
    PRIVATE_KEY: privateKey,
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
    DOCKHAND_REGISTRIES: "ghcr.io",
    DOCKHAND_SWEEP: "off",
    ...options.env,
  };
  const [command, ...args] = options.command ?? [process.execPath, "dist/src/main.js"];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)),
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  const url = `http://127.0.0.1:${port}`;
  let delivery = 0;
  const app: AppProcess = {
    child,
    port,
    url,
    stdout: "",
    stderr: "",
    output: () => app.stdout + app.stderr,
    exited: new Promise((resolve) => child.once("close", (code) => resolve(code))),
    send: ({ id, ...rest }) =>
      postDelivery(url, env.WEBHOOK_SECRET ?? "", { ...rest, id: id ?? `app-${port}-${++delivery}` }),
  };
  if (options.keepOutput ?? true) {
    child.stdout.on("data", (chunk: Buffer) => (app.stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (app.stderr += chunk.toString()));
  } else {
    // Read and dropped: a pipe nobody reads would stop the process at its next log line.
    child.stdout.resume();
    child.stderr.resume();
  }
  const readyPath = options.readyPath ?? "/ping";
  if (readyPath !== false) {
    const timeoutMs = options.readyTimeoutMs ?? 60_000;
    try {
      await waitFor(
        async () => (await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(5_000) })).ok,
        timeoutMs,
        `the app did not answer ${readyPath} within ${timeoutMs} ms`,
      );
    } catch (error) {
      if (options.detached && child.pid) process.kill(-child.pid, "SIGKILL");
      else child.kill("SIGKILL");
      throw new Error(`${(error as Error).message}; its output:\n${app.output().slice(-3000)}`, { cause: error });
    }
  }
  return app;
}
