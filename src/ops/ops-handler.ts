import type { IncomingMessage, ServerResponse } from "node:http";
import { withDeadline } from "../util/with-deadline.js";
import type { Metrics } from "./metrics.js";

/** Each dependency's check, by name; ready when all say true. */
export type Readiness = Record<string, () => Promise<boolean>>;

/** Orchestrators give a readiness probe about a second; a check that has not answered by then says no. */
const CHECK_MS = 800;

/**
 * `/healthz` (the process answers), `/readyz` (its queue and, with Redis, Redis and the clustered
 * limiters serve it; 503 while shutting down) and `/metrics` (Prometheus text). Returns false for any
 * other path, for Probot's next handler.
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
      const checks = Object.fromEntries(
        await Promise.all(
          Object.entries(readiness).map(async ([name, check]) => [name, await withDeadline(check, CHECK_MS, false)]),
        ),
      );
      const ready = Object.values(checks).every(Boolean);
      send(
        response,
        ready ? 200 : 503,
        "application/json",
        JSON.stringify({ status: ready ? "ready" : "not ready", checks }),
      );
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
