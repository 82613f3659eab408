import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "./metrics.js";

export interface Readiness {
  /** Each dependency's state; ready when all are true. */
  check: () => Promise<Record<string, boolean>>;
}

/**
 * `/healthz` (the process answers), `/readyz` (its queue and, with Redis, Redis are ready; 503 while
 * shutting down) and `/metrics` (Prometheus text). Returns false for any other path, for Probot's
 * next handler.
 */
export function opsHandler(metrics: Metrics, readiness: Readiness) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const path = (request.url ?? "").split("?")[0];
    if (request.method !== "GET") return false;
    if (path === "/healthz") {
      send(response, 200, "application/json", JSON.stringify({ status: "ok" }));
      return true;
    }
    if (path === "/readyz") {
      const checks = await readiness.check().catch(() => ({ checks: false }));
      const ready = Object.values(checks).every(Boolean);
      send(response, ready ? 200 : 503, "application/json", JSON.stringify({ status: ready ? "ready" : "not ready", checks }));
      return true;
    }
    if (path === "/metrics") {
      send(response, 200, metrics.registry.contentType, await metrics.registry.metrics());
      return true;
    }
    return false;
  };
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  response.end(body);
}
