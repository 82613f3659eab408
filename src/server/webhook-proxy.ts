import type { Logger } from "probot";
import type { SmeeClient as Smee } from "smee-client";

/**
 * WEBHOOK_PROXY_URL, the Probot way to develop on a machine GitHub cannot reach: a smee.io channel
 * (registered as the app's webhook URL) whose deliveries are forwarded to this server's webhook path,
 * signature and all. smee-client is a dev dependency, as in create-probot-app projects: without it
 * (a production install) the proxy is not started, and the log says why.
 */
export async function startWebhookProxy(
  url: string | undefined,
  target: string,
  log: Logger,
): Promise<{ close: () => Promise<void> } | undefined> {
  if (!url) return undefined;
  let SmeeClient: typeof Smee;
  try {
    ({ SmeeClient } = await import("smee-client"));
  } catch {
    log.warn(
      "WEBHOOK_PROXY_URL is set but smee-client is not installed (a dev dependency): run `npm ci` to proxy webhooks to this server",
    );
    return undefined;
  }
  const proxyLog = log.child({ name: "webhook-proxy" });
  const client = new SmeeClient({
    source: url,
    target,
    logger: {
      info: (...args: unknown[]) => proxyLog.info(args.map(String).join(" ")),
      error: (...args: unknown[]) => proxyLog.error(args.map(String).join(" ")),
    },
  });
  // Not awaited: the app serves whether or not the channel answers; the client reconnects by itself.
  client.start().then(
    () => proxyLog.info({ source: url, target }, "forwarding webhooks from the proxy channel"),
    (error: unknown) =>
      proxyLog.error(
        { err: error, source: url },
        "the webhook proxy channel could not be opened; check WEBHOOK_PROXY_URL",
      ),
  );
  return { close: () => client.stop().catch(() => undefined) };
}
