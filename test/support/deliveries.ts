import { createHmac } from "node:crypto";
import { request } from "node:http";

/** Where the app takes webhooks (Probot's default path). */
export const WEBHOOKS_PATH = "/api/github/webhooks";

/** GitHub's `x-hub-signature-256` of a delivery's body. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface Delivery {
  event: string;
  /** The payload, sent as JSON; or the body's text as it is. */
  payload: unknown;
  id: string;
  /** Sent instead of the body's signature with the secret (a forged or unsigned delivery). */
  signature?: string;
}

function headers(secret: string, delivery: Delivery, body: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-github-event": delivery.event,
    "x-github-delivery": delivery.id,
    "x-hub-signature-256": delivery.signature ?? signature(secret, body),
  };
}

const bodyOf = (delivery: Delivery) =>
  typeof delivery.payload === "string" ? delivery.payload : JSON.stringify(delivery.payload);

/**
 * Signs and posts a delivery as GitHub does to the app at `url` (its origin); resolves with the HTTP
 * status once the app answered.
 */
export async function postDelivery(url: string, secret: string, delivery: Delivery): Promise<number> {
  const body = bodyOf(delivery);
  const response = await fetch(`${url}${WEBHOOKS_PATH}`, {
    method: "POST",
    body,
    headers: headers(secret, delivery, body),
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * The same on a connection of its own (a pooled one may have passed the server's keep-alive timeout):
 * the status, or the connection's error code, and the seconds until either.
 */
export function postOnOwnConnection(
  port: number,
  secret: string,
  delivery: Delivery,
): Promise<{ status: number | string; seconds: number }> {
  const body = bodyOf(delivery);
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  return new Promise((resolve) => {
    const req = request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: WEBHOOKS_PATH,
      agent: false,
      headers: headers(secret, delivery, body),
    });
    req.on("response", (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, seconds: seconds() });
    });
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ status: error.code ?? error.message, seconds: seconds() }),
    );
    req.end(body);
  });
}
