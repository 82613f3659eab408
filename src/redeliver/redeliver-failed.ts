import type { Logger } from "probot";
import { isTransientError, type Octokit } from "../github/octokit.js";
import type { Metrics } from "../ops/metrics.js";
import { retryAfterOf } from "../queue/job-queue.js";
import { listDeliveriesSince } from "./list-deliveries.js";
import { isHandled, planRedeliveries, REDELIVERY_WINDOW_MS, type RedeliveryPlan } from "./plan-redeliveries.js";
import type { RedeliveryState } from "./redelivery-state.js";

export interface RedeliverDependencies {
  /** The app's JWT Octokit: its writes are paced like every other (DOCKHAND_GITHUB_WRITE_INTERVAL_MS). */
  appOctokit: () => Promise<Octokit>;
  state: RedeliveryState;
  now: () => number;
  /** The events Dockhand subscribes (`event.action`). */
  handled: ReadonlySet<string>;
  limits: { lookbackMs: number; maxPerRun: number; maxPerDelivery: number };
  metrics: Pick<Metrics, "deliveriesFailed" | "redeliveriesRequested" | "deliveriesRecovered">;
  log: Logger;
}

export interface RedeliveryRun {
  listed: number;
  plan: RedeliveryPlan;
  /** Guids GitHub took a redelivery request for in this run. */
  requested: string[];
}

/**
 * One run of the recovery loop: the app's deliveries since the checkpoint (or the look-back), the
 * decision (plan-redeliveries.ts), then one `POST /app/hook/deliveries/{id}/attempts` per guid to
 * redeliver, each claimed first so that no other run asks for it too. A request GitHub did not take
 * (a 5xx, a rate limit, no answer) is given back and thrown, so the job runs again (at the rate limit's
 * end); one GitHub refused (a 4xx: too old, gone) counts as asked and the others go on. The checkpoint
 * is saved once the run is through.
 */
export async function redeliverFailed(deps: RedeliverDependencies): Promise<RedeliveryRun> {
  const { state, log } = deps;
  const now = deps.now();
  const since = Math.max((await state.checkpoint()) ?? now - deps.limits.lookbackMs, now - REDELIVERY_WINDOW_MS);
  const octokit = await deps.appOctokit();
  const attempts = await listDeliveriesSince(octokit, since, log);
  const ours = attempts.filter((attempt) => isHandled(attempt, deps.handled));
  const records = await state.records([...new Set(ours.map((attempt) => attempt.guid))]);
  const plan = planRedeliveries({
    attempts: ours,
    now,
    handled: deps.handled,
    records,
    maxPerRun: deps.limits.maxPerRun,
    maxPerDelivery: deps.limits.maxPerDelivery,
  });

  for (const guid of plan.failed) {
    if (await state.markFound(guid)) {
      deps.metrics.deliveriesFailed.inc();
      log.info({ guid }, "webhook delivery found failed");
    }
  }
  for (const guid of plan.recovered) {
    if (await state.markRecovered(guid)) {
      deps.metrics.deliveriesRecovered.inc();
      log.info({ guid }, "webhook delivery recovered: delivered after Dockhand asked again");
    }
  }
  for (const { guid, lastSeenId } of plan.exhausted) {
    if (await state.giveUp(guid, lastSeenId))
      log.warn(
        { guid, redeliveries: deps.limits.maxPerDelivery },
        "webhook delivery still failed after every redelivery Dockhand asks for; giving up on it",
      );
  }
  for (const guid of plan.expired) log.warn({ guid }, "webhook delivery failed and is too old for GitHub to redeliver");
  if (plan.deferred.length > 0)
    log.info(
      { deferred: plan.deferred.length, maxPerRun: deps.limits.maxPerRun },
      "more failed deliveries than one run redelivers; the rest in the next run",
    );

  const requested: string[] = [];
  for (const redelivery of plan.redeliver) {
    const { guid, request, lastSeenId } = redelivery;
    const before = records.get(guid) ?? { requests: 0, lastSeenId: 0 };
    if (!(await state.claim(guid, request, lastSeenId))) continue;
    const fields = {
      guid,
      delivery: redelivery.deliveryId,
      event: redelivery.event,
      action: redelivery.action,
      request,
    };
    try {
      await octokit.rest.apps.redeliverWebhookDelivery({ delivery_id: redelivery.deliveryId });
    } catch (error) {
      if (retryAfterOf(error) !== undefined || isTransientError(error)) {
        await state.release(guid, request, before);
        log.warn({ err: error, ...fields }, "GitHub did not take the redelivery request; the run goes on later");
        throw error;
      }
      log.warn({ err: error, ...fields }, "GitHub refused to redeliver the delivery");
      continue;
    }
    deps.metrics.redeliveriesRequested.inc();
    requested.push(guid);
    log.info(fields, "asked GitHub to redeliver a failed webhook delivery");
  }
  await state.saveCheckpoint(plan.checkpoint);
  log[requested.length > 0 ? "info" : "debug"](
    {
      since: new Date(since).toISOString(),
      listed: attempts.length,
      failed: plan.failed.length,
      requested: requested.length,
      waiting: plan.waiting.length,
      deferred: plan.deferred.length,
    },
    "redelivery run done",
  );
  return { listed: attempts.length, plan, requested };
}
