import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { freePort, waitFor } from "./net.js";

/**
 * A real `redis-server` on loopback with no persistence, for the Redis-mode tests. `restart` stops it,
 * runs `whileDown`, and starts an empty one on the same port, as a Redis restarted without its data.
 */
export async function startLocalRedis(): Promise<{
  url: string;
  stop: () => Promise<void>;
  restart: (whileDown?: () => Promise<void>) => Promise<void>;
}> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    const child: ChildProcess = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    await waitFor(
      async () => {
        const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        probe.on("error", () => undefined); // not listening yet: connect() rejects
        try {
          await probe.connect();
          return (await probe.ping()) === "PONG";
        } catch {
          return false;
        } finally {
          probe.disconnect();
        }
      },
      10_000,
      "redis-server did not start",
    );
    return async () => {
      child.kill("SIGTERM");
      await exited;
    };
  };
  let stop = await start();
  return {
    url,
    stop: () => stop(),
    restart: async (whileDown) => {
      await stop();
      await whileDown?.();
      stop = await start();
    },
  };
}
