import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import type { DeliveryAttempt } from "./plan-redeliveries.js";

/** Pages read in one run at most (100 attempts each): a run's reads stay bounded however busy the app is. */
export const MAX_PAGES = 100;

/**
 * The app's delivery attempts since `since`, newest first as GitHub lists them (`GET /app/hook/deliveries`,
 * app JWT, cursor pagination through the `Link` header): pages are read until one reaches back past
 * `since`, or `MAX_PAGES` were read (the older ones are then not seen, and the log says so).
 */
export async function listDeliveriesSince(octokit: Octokit, since: number, log: Logger): Promise<DeliveryAttempt[]> {
  const attempts: DeliveryAttempt[] = [];
  let pages = 0;
  for await (const page of octokit.paginate.iterator(octokit.rest.apps.listWebhookDeliveries, { per_page: 100 })) {
    pages += 1;
    let reachedSince = false;
    for (const item of page.data) {
      const deliveredAt = Date.parse(item.delivered_at);
      if (!Number.isFinite(deliveredAt)) continue;
      if (deliveredAt < since) {
        reachedSince = true;
        continue;
      }
      attempts.push({
        id: item.id,
        guid: item.guid,
        deliveredAt,
        statusCode: item.status_code,
        event: item.event,
        action: item.action ?? null,
      });
    }
    if (reachedSince) break;
    if (pages >= MAX_PAGES) {
      log.warn(
        { pages, attempts: attempts.length, since: new Date(since).toISOString() },
        "more webhook deliveries since the checkpoint than one run reads; older ones are not looked at",
      );
      break;
    }
  }
  return attempts;
}
