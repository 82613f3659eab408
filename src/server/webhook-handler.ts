import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger, Probot } from "probot";
import type { Handler } from "./http-server.js";
import { readCappedBody } from "./read-capped-body.js";

/**
 * GitHub does not deliver a payload over 25 MB; read as MiB (the larger reading) so that no delivery
 * GitHub sends is refused.
 */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/**
 * The webhook path. Anyone who finds the URL can post to it, and the signature covers the whole body,
 * so the body is read within `maxBytes` (413 past it) and its signature checked here, on the bytes as
 * they arrived, before Probot's middleware, which would buffer any size, copy it three times over and
 * log a failed delivery's payload in full. A refused delivery is logged as its size, event, delivery
 * id and reason. A verified body is handed on as `request.body`, which @octokit/webhooks reads instead
 * of the stream, and Probot's middleware answers as before (415, missing headers, invalid JSON, 202
 * after 9 s, 200).
 */
export async function webhookHandler(
  probot: Probot,
  log: Logger,
  options: { secret: string; maxBytes?: number },
): Promise<Handler> {
  const maxBytes = options.maxBytes ?? MAX_WEBHOOK_BYTES;
  const middleware = await probot.getNodeMiddleware({ log });
  const webhookPath = withoutTrailingSlashes(probot.webhookPath);
  const webhooksLog = log.child({ name: "webhooks" });
  return async (request, response) => {
    let path: string;
    try {
      // As @octokit/webhooks matches it, so that no request reaches the middleware without passing here.
      path = new URL(withoutTrailingSlashes(request.url ?? "/"), "http://localhost").pathname;
    } catch {
      return middleware(request, response); // it answers 422 without reading the body
    }
    if (path !== webhookPath) return false;
    if (request.method !== "POST") return middleware(request, response); // 404, body unread

    const delivery = { event: header(request, "x-github-event"), delivery: header(request, "x-github-delivery") };
    const body = await readCappedBody(request, maxBytes);
    if (body.outcome === "aborted") return true;
    if (body.outcome === "too large") {
      webhooksLog.warn(
        { ...delivery, bytes: body.bytes, reason: "too large" },
        `webhook refused: body over ${maxBytes} bytes`,
      );
      refuseOversized(request, response, `payload larger than GitHub's maximum of ${maxBytes} bytes`);
      return true;
    }
    const signature = request.headers["x-hub-signature-256"];
    // Without a signature header the middleware answers 400 naming the missing header.
    if (typeof signature === "string" && !signatureMatches(options.secret, body.chunks, signature)) {
      webhooksLog.warn(
        { ...delivery, bytes: body.bytes, reason: "bad signature" },
        "webhook refused: signature does not match the payload and secret",
      );
      refuse(response, 400, "signature does not match the payload and secret");
      return true;
    }
    (request as IncomingMessage & { body?: string }).body = Buffer.concat(body.chunks, body.bytes).toString("utf8");
    return middleware(request, response);
  };
}

/**
 * GitHub's `sha256=` HMAC of the bytes sent. Stricter than the middleware's check, which signs the
 * body decoded as UTF-8 and encoded again: a body that is not UTF-8 fails both.
 */
function signatureMatches(secret: string, chunks: Buffer[], signature: string): boolean {
  const hmac = createHmac("sha256", secret);
  for (const chunk of chunks) hmac.update(chunk);
  const expected = Buffer.from(`sha256=${hmac.digest("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A header as logged: attacker-chosen, so cut short. */
function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" ? value.slice(0, 100) : undefined;
}

function refuse(response: ServerResponse, status: number, error: string): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error }));
}

/**
 * The answer is sent at once, but ended (and the connection closed) only when the client stops
 * sending, or a second later: closed while the body still arrives, the connection is reset and the
 * client can lose the answer. Meanwhile the rest of the body is discarded as it arrives, never kept.
 */
function refuseOversized(request: IncomingMessage, response: ServerResponse, error: string): void {
  const body = JSON.stringify({ error });
  response
    .writeHead(413, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      connection: "close",
    })
    .write(body);
  const end = () => {
    clearTimeout(timer);
    if (!response.writableEnded) response.end();
  };
  const timer = setTimeout(end, 1000).unref();
  request.once("end", end).resume();
}

/** `/a/b//` → `/a/b` (a loop: a regular expression would backtrack on a long run of slashes). */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end -= 1;
  return end === 0 ? "/" : path.slice(0, end);
}
