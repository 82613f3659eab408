import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  OVERLAP_MS,
  planRedeliveries,
  REDELIVERY_WINDOW_MS,
  type DeliveryAttempt,
  type GuidRecord,
  type RedeliveryInput,
} from "../../src/redeliver/plan-redeliveries.js";

const NOW = Date.parse("2026-11-20T12:00:00Z");
const MINUTE = 60_000;
const HANDLED = new Set(["workflow_run.completed", "pull_request.closed"]);

let nextId = 1000;
/** An attempt `minutesAgo` before NOW; ids grow with time as GitHub's do. */
function attempt(
  guid: string,
  statusCode: number,
  minutesAgo: number,
  event = "workflow_run.completed",
  id?: number,
): DeliveryAttempt {
  const [name = "", action = null] = event.split(".");
  return {
    id: id ?? nextId++,
    guid,
    deliveredAt: NOW - minutesAgo * MINUTE,
    statusCode,
    event: name,
    action,
  };
}

function plan(attempts: DeliveryAttempt[], overrides: Partial<RedeliveryInput> = {}) {
  return planRedeliveries({
    attempts,
    now: NOW,
    handled: HANDLED,
    records: new Map(),
    maxPerRun: 100,
    maxPerDelivery: 3,
    ...overrides,
  });
}

interface Case {
  name: string;
  attempts: DeliveryAttempt[];
  records?: [string, GuidRecord][];
  maxPerRun?: number;
  /** guid → its outcome: "redeliver:<n>" (the n-th request), or the list it lands in. */
  expected: Record<string, string>;
}

/**
 * Guid "a" failed 10 minutes ago (attempt 500), with Dockhand's record of it ([requests, lastSeenId]);
 * then GitHub's redelivery 2 minutes ago ([status code, id]), if there is one.
 */
const afterFailure: [
  name: string,
  record: [number, number],
  redelivery: [number, number] | undefined,
  outcome: string,
][] = [
  ["asked for, GitHub has not attempted it yet: wait", [1, 500], undefined, "waiting"],
  ["asked for, the redelivery failed too: ask again", [1, 500], [503, 501], "redeliver:2"],
  ["asked for, the redelivery succeeded: recovered", [1, 500], [200, 501], "recovered"],
  ["found before, never asked for, then delivered: not Dockhand's recovery", [0, 0], [200, 501], "-"],
  ["the last allowed redelivery failed too: exhausted", [3, 500], [503, 503], "exhausted"],
  ["exhausted and said so: nothing new", [3, 503], [503, 503], "waiting"],
];

const cases: Case[] = [
  { name: "delivered once: nothing to do", attempts: [attempt("a", 200, 10)], expected: { a: "-" } },
  {
    name: "202 (Probot's still processing) counts as delivered",
    attempts: [attempt("a", 202, 10)],
    expected: { a: "-" },
  },
  { name: "never reached (app down)", attempts: [attempt("a", 0, 10)], expected: { a: "redeliver:1" } },
  { name: "answered 503 (queue down)", attempts: [attempt("a", 503, 10)], expected: { a: "redeliver:1" } },
  { name: "a 3xx is not delivered", attempts: [attempt("a", 302, 10)], expected: { a: "redeliver:1" } },
  {
    name: "failed, then delivered by someone's redelivery: nothing to do",
    attempts: [attempt("a", 0, 10), attempt("a", 200, 5)],
    expected: { a: "-" },
  },
  {
    name: "an event Dockhand does not handle is left alone",
    attempts: [attempt("a", 0, 10, "workflow_run.requested"), attempt("b", 0, 10, "push")],
    expected: { a: "-", b: "-" },
  },
  {
    name: "pull_request.closed is handled",
    attempts: [attempt("a", 0, 10, "pull_request.closed")],
    expected: { a: "redeliver:1" },
  },
  ...afterFailure.map(([name, [requests, lastSeenId], redelivery, outcome]): Case => ({
    name,
    attempts: [
      attempt("a", 0, 10, undefined, 500),
      ...(redelivery ? [attempt("a", redelivery[0], 2, undefined, redelivery[1])] : []),
    ],
    records: [["a", { requests, lastSeenId }]],
    expected: { a: outcome },
  })),
  {
    name: "too old for GitHub to redeliver",
    attempts: [attempt("a", 0, REDELIVERY_WINDOW_MS / MINUTE + 1)],
    expected: { a: "expired" },
  },
  {
    name: "the oldest go first; the rest wait for the next run",
    attempts: [attempt("new", 0, 1), attempt("old", 0, 30), attempt("mid", 0, 10)],
    maxPerRun: 2,
    expected: { old: "redeliver:1", mid: "redeliver:1", new: "deferred" },
  },
  {
    name: "those never asked for before those asked for again",
    attempts: [
      attempt("again", 0, 60, undefined, 10),
      attempt("again", 503, 5, undefined, 20),
      attempt("first", 0, 30, undefined, 15),
    ],
    records: [["again", { requests: 1, lastSeenId: 10 }]],
    maxPerRun: 1,
    expected: { first: "redeliver:1", again: "deferred" },
  },
];

function outcomes(result: ReturnType<typeof plan>): Record<string, string> {
  const seen: Record<string, string> = {};
  for (const r of result.redeliver) seen[r.guid] = `redeliver:${r.request}`;
  for (const guid of result.recovered) seen[guid] = "recovered";
  for (const { guid } of result.exhausted) seen[guid] = "exhausted";
  for (const guid of result.expired) seen[guid] = "expired";
  for (const guid of result.deferred) seen[guid] = "deferred";
  for (const guid of result.waiting) seen[guid] = "waiting";
  return seen;
}

describe("planRedeliveries", () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = plan(c.attempts, {
        records: new Map(c.records ?? []),
        ...(c.maxPerRun ? { maxPerRun: c.maxPerRun } : {}),
      });
      const seen = outcomes(result);
      const expected = Object.fromEntries(Object.entries(c.expected).filter(([, outcome]) => outcome !== "-"));
      assert.deepEqual(seen, expected);
    });
  }

  it("asks for the guid's newest attempt and keeps its id as the last seen", () => {
    const result = plan([attempt("a", 0, 10, undefined, 10), attempt("a", 503, 5, undefined, 12)], {
      records: new Map([["a", { requests: 1, lastSeenId: 10 }]]),
    });
    assert.deepEqual(result.redeliver, [
      { guid: "a", deliveryId: 12, event: "workflow_run", action: "completed", request: 2, lastSeenId: 12 },
    ]);
  });

  it("lists every guid whose attempts all failed as failed, whatever is done about it", () => {
    const result = plan([
      attempt("a", 0, 10),
      attempt("b", 200, 10),
      attempt("c", 0, REDELIVERY_WINDOW_MS / MINUTE + 5),
    ]);
    assert.deepEqual(result.failed.sort(), ["a", "c"]);
  });

  it("moves the checkpoint to the run's start less the overlap, or back to the oldest deferred attempt", () => {
    assert.equal(plan([attempt("a", 0, 10)]).checkpoint, NOW - OVERLAP_MS);
    const deferred = plan([attempt("a", 0, 30), attempt("b", 0, 20), attempt("b", 0, 40)], { maxPerRun: 1 });
    assert.deepEqual(deferred.deferred, ["a"]);
    assert.equal(deferred.checkpoint, NOW - 30 * MINUTE);
  });

  it("never asks for more than maxPerRun in one run", () => {
    const attempts = Array.from({ length: 500 }, (_, i) => attempt(`g${i}`, 0, 500 - i));
    const result = plan(attempts, { maxPerRun: 100 });
    assert.equal(result.redeliver.length, 100);
    assert.equal(result.deferred.length, 400);
    assert.equal(result.redeliver[0]?.guid, "g0", "the oldest first");
  });
});
