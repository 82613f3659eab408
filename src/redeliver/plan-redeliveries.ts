/**
 * GitHub keeps an app's webhook deliveries, and redelivers one on request, for 3 days; a delivery
 * whose newest attempt is older than this, less an hour's margin, is past asking for.
 */
export const REDELIVERY_WINDOW_MS = 3 * 24 * 3600 * 1000 - 3600 * 1000;

/**
 * Each run looks this far behind where the last one started: an attempt under way while a run lists
 * (GitHub records it when it ends, up to 10 s later) and skew between GitHub's clock and this one's are
 * seen by the next run.
 */
export const OVERLAP_MS = 5 * 60 * 1000;

/** One attempt of one delivery, as `GET /app/hook/deliveries` lists it (the fields the decision uses). */
export interface DeliveryAttempt {
  /** The attempt's id; GitHub's ids grow with time (a redelivery's is larger than the attempts before it). */
  id: number;
  /** The event's id (`X-GitHub-Delivery`), shared by every attempt of one event. */
  guid: string;
  deliveredAt: number;
  statusCode: number;
  event: string;
  action: string | null;
}

/** What Dockhand has asked of GitHub for one guid. */
export interface GuidRecord {
  /** Redeliveries requested so far. */
  requests: number;
  /** The newest attempt id seen when the last one was requested: a later attempt is that redelivery's. */
  lastSeenId: number;
}

export interface RedeliveryInput {
  /** The attempts listed since `since`, in any order. */
  attempts: readonly DeliveryAttempt[];
  /** When this run started (its clock). */
  now: number;
  /** What Dockhand subscribes: `event.action`, or `event` for every action. */
  handled: ReadonlySet<string>;
  records: ReadonlyMap<string, GuidRecord>;
  maxPerRun: number;
  maxPerDelivery: number;
}

export interface Redelivery {
  guid: string;
  /** The attempt to redeliver: the guid's newest. */
  deliveryId: number;
  event: string;
  action: string | null;
  /** Which of the guid's redeliveries this is (1 for the first). */
  request: number;
  /** The newest attempt id now, to be kept as the record's `lastSeenId`. */
  lastSeenId: number;
}

export interface RedeliveryPlan {
  /** Those never asked for first, then the oldest; at most `maxPerRun`. */
  redeliver: Redelivery[];
  /** Guids of handled events whose every listed attempt failed. */
  failed: string[];
  /** Guids Dockhand had asked to redeliver that have since been delivered. */
  recovered: string[];
  /** Guids whose last allowed redelivery failed too: Dockhand asks no more (`lastSeenId` to keep, so it is said once). */
  exhausted: { guid: string; lastSeenId: number }[];
  /** Failed guids too old for GitHub to redeliver. */
  expired: string[];
  /** Failed guids left for the next run by the per-run cap. */
  deferred: string[];
  /** Failed guids with no attempt since Dockhand last asked for them (or gave up): nothing to do yet. */
  waiting: string[];
  /** Where the next run starts listing: before any deferred guid's attempts, and `OVERLAP_MS` before this run. */
  checkpoint: number;
}

/** Whether GitHub counts the attempt as delivered: Dockhand answered it 2xx. */
export function delivered(attempt: Pick<DeliveryAttempt, "statusCode">): boolean {
  return attempt.statusCode >= 200 && attempt.statusCode < 300;
}

/**
 * Which deliveries to ask GitHub for again, from the attempts GitHub lists. Attempts are grouped by
 * guid: a guid of an event Dockhand handles whose every attempt failed (never answered 2xx: the app was
 * down, or answered 5xx because it could not store it) is redelivered, once per run, while GitHub still
 * can, and at most `maxPerDelivery` times in all. A guid already asked for waits until GitHub's attempt
 * of that redelivery is listed (an attempt newer than the last one seen then: ids, not clocks, so skew
 * does not count), so two runs never ask twice for one redelivery. Those never asked for go first, then the oldest; the rest are deferred, and
 * the checkpoint stays before them so the next run sees them again.
 */
export function planRedeliveries(input: RedeliveryInput): RedeliveryPlan {
  const groups = new Map<string, DeliveryAttempt[]>();
  for (const attempt of input.attempts) {
    if (!isHandled(attempt, input.handled)) continue;
    const group = groups.get(attempt.guid);
    if (group) group.push(attempt);
    else groups.set(attempt.guid, [attempt]);
  }
  const plan: RedeliveryPlan = {
    redeliver: [],
    failed: [],
    recovered: [],
    exhausted: [],
    expired: [],
    deferred: [],
    waiting: [],
    checkpoint: input.now - OVERLAP_MS,
  };
  const candidates: { guid: string; oldest: number; newest: DeliveryAttempt; record: GuidRecord | undefined }[] = [];
  for (const [guid, attempts] of groups) {
    const record = input.records.get(guid);
    if (attempts.some(delivered)) {
      if (record && record.requests > 0 && attempts.some((a) => delivered(a) && a.id > record.lastSeenId))
        plan.recovered.push(guid);
      continue;
    }
    plan.failed.push(guid);
    const newest = attempts.reduce((a, b) => (b.id > a.id ? b : a));
    const oldest = Math.min(...attempts.map((attempt) => attempt.deliveredAt));
    if (record && newest.id <= record.lastSeenId) plan.waiting.push(guid);
    else if (record && record.requests >= input.maxPerDelivery) plan.exhausted.push({ guid, lastSeenId: newest.id });
    else if (newest.deliveredAt < input.now - REDELIVERY_WINDOW_MS) plan.expired.push(guid);
    else candidates.push({ guid, oldest, newest, record });
  }
  // Never asked for first, then the oldest: deliveries that keep failing do not hold back the others.
  const asked = (candidate: (typeof candidates)[number]) => candidate.record?.requests ?? 0;
  candidates.sort((a, b) => asked(a) - asked(b) || a.oldest - b.oldest || a.newest.id - b.newest.id);
  for (const [index, candidate] of candidates.entries()) {
    if (index >= input.maxPerRun) {
      plan.deferred.push(candidate.guid);
      plan.checkpoint = Math.min(plan.checkpoint, candidate.oldest);
      continue;
    }
    plan.redeliver.push({
      guid: candidate.guid,
      deliveryId: candidate.newest.id,
      event: candidate.newest.event,
      action: candidate.newest.action,
      request: (candidate.record?.requests ?? 0) + 1,
      lastSeenId: candidate.newest.id,
    });
  }
  return plan;
}

/** Whether Dockhand subscribes the attempt's event (`event.action`, or the whole `event`). */
export function isHandled(attempt: Pick<DeliveryAttempt, "event" | "action">, handled: ReadonlySet<string>): boolean {
  return handled.has(attempt.event) || (attempt.action !== null && handled.has(`${attempt.event}.${attempt.action}`));
}
