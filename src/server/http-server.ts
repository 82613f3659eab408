import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApplicationFunctionOptions, Logger } from "probot";

/** Probot's handler shape (what `addHandler` takes): answers a request and returns true, or leaves it to the next. */
export type Handler = Parameters<ApplicationFunctionOptions["addHandler"]>[0];

/**
 * Dockhand's HTTP server in place of Probot's, whose webhook middleware always runs first and reads
 * any body whole: the same routes (`/ping`, then the given handlers: the webhook path, the app's own,
 * then 404), and one log line per request with its method, path, status and time.
 */
export async function startHttpServer(options: {
  host: string;
  port: number;
  handlers: Handler[];
  log: Logger;
}): Promise<{ server: Server; close: () => Promise<void> }> {
  const log = options.log.child({ name: "http" });
  const handlers = [ping, ...options.handlers];
  const server = createServer((request, response) => {
    const started = Date.now();
    response.once("close", () => {
      const line = `${request.method} ${(request.url ?? "").slice(0, 200)} ${response.writableFinished ? response.statusCode : "aborted"} - ${Date.now() - started}ms`;
      log.info({ delivery: request.headers["x-github-delivery"]?.toString().slice(0, 100) }, line);
    });
    void route(request, response);
  });
  const route = async (request: IncomingMessage, response: ServerResponse) => {
    try {
      for (const handler of handlers) if (await handler(request, response)) return;
      response.writeHead(404).end();
    } catch (error) {
      log.error({ err: error }, "request failed");
      if (!response.headersSent) response.writeHead(500);
      response.end();
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host, port: options.port }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  log.info(
    `Listening on http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`,
  );
  return {
    server,
    // Stops taking connections; resolves once the requests under way are answered.
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function ping(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== "GET" || (request.url ?? "").split("?")[0] !== "/ping") return false;
  response.writeHead(200, { "content-type": "text/plain" }).end("PONG");
  return true;
}
