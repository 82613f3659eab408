import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { FakeGitHub } from "./fake-github.js";
import type { Exchange } from "./round-trips.js";

export interface HttpGitHubOptions {
  /**
   * Every answer (API and log downloads) is sent this long after its request arrived, as from a
   * distant GitHub: what concurrency saves shows in time, and `exchanges` can tell sequential
   * requests from concurrent ones (without it, a request may be answered before its sibling arrives).
   */
  latencyMs?: number;
}

/** Serves a FakeGitHub over HTTP on loopback, shaped like GitHub Enterprise Server (`/api/v3`). */
export async function startHttpGitHub(options: HttpGitHubOptions = {}): Promise<{
  fake: FakeGitHub;
  host: string;
  /** Every request's arrival and answer, in order of arrival (`performance.now()`), for `sequentialRoundTrips`. */
  exchanges: Exchange[];
  close: () => Promise<void>;
}> {
  const holder: { fake?: FakeGitHub } = {};
  const exchanges: Exchange[] = [];
  const latencyMs = options.latencyMs ?? 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const exchange: Exchange = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        start: performance.now(),
        end: 0,
      };
      exchanges.push(exchange);
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text === "" ? undefined : text;
      try {
        body = text === "" ? undefined : (JSON.parse(text) as unknown);
      } catch {
        // not JSON: keep the text
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]),
      );
      const request = {
        method: req.method ?? "GET",
        url: new URL(req.url ?? "/", `http://${req.headers.host}`),
        headers,
        body,
      };
      (latencyMs > 0 ? sleep(latencyMs).then(() => holder.fake!.handle(request)) : holder.fake!.handle(request))
        .then((response) => {
          exchange.end = performance.now();
          exchange.status = response.drop ? 0 : response.status;
          if (response.drop) {
            setTimeout(() => res.destroy(), response.hangMs ?? 0);
            return;
          }
          const payload =
            typeof response.body === "string" || response.body === undefined
              ? (response.body ?? "")
              : JSON.stringify(response.body);
          res.writeHead(response.status, { "content-type": "application/json; charset=utf-8", ...response.headers });
          res.end(payload);
        })
        .catch((error: unknown) => {
          exchange.end = performance.now();
          res.writeHead(500).end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake = new FakeGitHub(`http://${host}/api/v3`, `http://${host}/_logs`);
  holder.fake = fake;
  return { fake, host, exchanges, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
