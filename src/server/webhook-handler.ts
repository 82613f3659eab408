import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger, Probot } from "probot";
import { byteBudget } from "./byte-budget.js";
import type { Handler } from "./http-server.js";
import { readCappedBody } from "./read-capped-body.js";

/**
 * GitHub does not deliver a payload over 25 MB; read as MiB (the larger reading) so that no delivery
 * GitHub sends is refused.
 */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** Room for four of the largest deliveries at once (DOCKHAND_WEBHOOK_READ_MB's default); GitHub's usual ones are a few kilobytes. */
export const DEFAULT_WEBHOOK_READ_BYTES = 4 * MAX_WEBHOOK_BYTES;

/**
 * The webhook path. Anyone who finds the URL can post to it, and the signature covers the whole body,
 * so the body is read within `maxBytes` (413 past it) and its signature checked here, on the bytes as
 * they arrived, before Probot's middleware, which would buffer any size, copy it three times over and
 * log a failed delivery's payload in full. A refused delivery is logged as its size, event, delivery
 * id and reason. A verified body is handed on as `request.body`, which @octokit/webhooks reads instead
 * of the stream, and Probot's middleware answers as before (415, missing headers, invalid JSON, 202
 * after 9 s, 200). Bodies not yet verified hold at most `readBytes` together: past it a delivery is
 * answered 503 (GitHub marks it failed, and the redelivery loop asks for it again).
 */
export async function webhookHandler(
  probot: Probot,
  log: Logger,
  options: { secret: string; maxBytes?: number; readBytes?: number },
): Promise<Handler> {
  const maxBytes = options.maxBytes ?? MAX_WEBHOOK_BYTES;
  const budget = byteBudget(Math.max(maxBytes, options.readBytes ?? DEFAULT_WEBHOOK_READ_BYTES));
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
    const body = await readCappedBody(request, maxBytes, budget);
    if (body.outcome === "aborted") return true;
    if (body.outcome === "too large") {
      webhooksLog.warn(
        { ...delivery, bytes: body.bytes, reason: "too large" },
        `webhook refused: body over ${maxBytes} bytes`,
      );
      refuseUnread(request, response, 413, `payload larger than GitHub's maximum of ${maxBytes} bytes`);
      return true;
    }
    if (body.outcome === "busy") {
      webhooksLog.warn(
        { ...delivery, bytes: body.bytes, held: budget.held, reason: "busy" },
        "webhook refused: other deliveries' bodies fill the memory set aside for reading them",
      );
      refuseUnread(request, response, 503, "too many webhook bodies arriving at once; redeliver later");
      return true;
    }
    try {
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
    } finally {
      // Verified (or refused), the chunks are dropped: what is kept now is GitHub's payload.
      budget.give(body.bytes);
    }
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
 * A refusal before the body was read whole. The answer is sent at once, but ended (and the connection
 * closed) only when the client stops sending, or a second later: closed while the body still arrives,
 * the connection is reset and the client can lose the answer. Meanwhile the rest of the body is
 * discarded as it arrives, never kept.
 */
function refuseUnread(request: IncomingMessage, response: ServerResponse, status: 413 | 503, error: string): void {
  const body = JSON.stringify({ error });
  response
    .writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      connection: "close",
      ...(status === 503 ? { "retry-after": "1" } : {}),
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
