import { readFileSync } from "node:fs";
import { request } from "node:http";
import { WEBHOOKS_PATH } from "./deliveries.js";

/**
 * Streams `total` bytes to the webhook path as fast as the socket takes them, chunked or under a
 * Content-Length, until the server answers or the connection breaks. The body is not a valid delivery
 * (nor validly signed, unless `signature` is): what it costs the server before refusing it is the point.
 */
export function postOversized(
  port: number,
  total: number,
  framing: "chunked" | "content-length",
  signature = "sha256=" + "0".repeat(64),
): Promise<{ status?: number; error?: string; sent: number; seconds: number }> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": "workflow_run",
    "x-github-delivery": `oversized-${framing}-${total}`,
    "x-hub-signature-256": signature,
    ...(framing === "content-length" ? { "content-length": String(total) } : {}),
  };
  const started = Date.now();
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(1024 * 1024, "x");
    let sent = 0;
    let done = false;
    const finish = (result: { status?: number; error?: string }) => {
      if (done) return;
      done = true;
      resolve({ ...result, sent, seconds: (Date.now() - started) / 1000 });
      req.destroy();
    };
    const req = request({ host: "127.0.0.1", port, method: "POST", path: WEBHOOKS_PATH, headers, agent: false });
    req.on("response", (response) => {
      response.resume();
      finish({ status: response.statusCode });
    });
    req.on("error", (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    const pump = () => {
      while (!done && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (!done) req.end();
    };
    pump();
  });
}

/** A process's resident memory, from the kernel (Linux). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) * 1024;
}
