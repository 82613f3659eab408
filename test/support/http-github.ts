import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeGitHub } from "./fake-github.js";

/** Serves a FakeGitHub over HTTP on loopback, shaped like GitHub Enterprise Server (`/api/v3`). */
export async function startHttpGitHub(): Promise<{ fake: FakeGitHub; host: string; close: () => Promise<void> }> {
  const holder: { fake?: FakeGitHub } = {};
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
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
      holder
        .fake!.handle({
          method: req.method ?? "GET",
          url: new URL(req.url ?? "/", `http://${req.headers.host}`),
          headers,
          body,
        })
        .then((response) => {
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
          res.writeHead(500).end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake = new FakeGitHub(`http://${host}/api/v3`, `http://${host}/_logs`);
  holder.fake = fake;
  return { fake, host, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
