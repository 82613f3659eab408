import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Redis } from "ioredis";
import {
  MAX_OUTCOMES,
  MemoryBreakerStore,
  RedisBreakerStore,
  RETENTION_SECONDS,
  type BreakerStore,
} from "../../src/retry/breaker-store.js";
import { breakerState, type BreakerPolicy, type RecordedOutcome } from "../../src/retry/retry-breaker.js";
import { suiteRedis } from "../support/suite-redis.js";

const HOUR = 3600 * 1000;
const T0 = Date.parse("2026-11-20T00:00:00Z");
const policy: BreakerPolicy = { enabled: true, failures: 3, windowHours: 24, cooldownHours: 24 };
const at = (hours: number, outcome: RecordedOutcome["outcome"] = "failed-same"): RecordedOutcome => ({
  outcome,
  at: T0 + hours * HOUR,
});

describe("breakerState", () => {
  it("opens on the third same failure in a row, until the cooldown from it has passed", () => {
    const history = [at(0), at(1), at(2)];
    assert.deepEqual(breakerState(history.slice(0, 2), policy, T0 + 3 * HOUR), { open: false });
    assert.deepEqual(breakerState(history, policy, T0 + 3 * HOUR), { open: true, failures: 3, until: T0 + 26 * HOUR });
    assert.equal(breakerState(history, policy, T0 + 26 * HOUR - 1).open, true);
    assert.deepEqual(breakerState(history, policy, T0 + 26 * HOUR), { open: false }, "closed after the cooldown");
  });

  it("counts only failures within the window, first to last", () => {
    assert.equal(breakerState([at(0), at(10), at(24.5)], policy, T0 + 25 * HOUR).open, false);
    assert.equal(breakerState([at(0), at(10), at(24)], policy, T0 + 25 * HOUR).open, true);
    assert.equal(breakerState([at(0), at(10), at(24.5), at(30)], policy, T0 + 31 * HOUR).open, true);
  });

  it("is reset by a fix, also when open", () => {
    assert.equal(breakerState([at(0), at(1), at(2, "fixed"), at(3)], policy, T0 + 4 * HOUR).open, false);
    assert.equal(breakerState([at(0), at(1), at(2), at(3, "fixed")], policy, T0 + 4 * HOUR).open, false);
  });

  it("counts a row: a different failure breaks it, but does not close an open breaker", () => {
    assert.equal(breakerState([at(0), at(1), at(2, "failed-different"), at(3)], policy, T0 + 4 * HOUR).open, false);
    assert.equal(breakerState([at(0), at(1), at(2), at(3, "failed-different")], policy, T0 + 4 * HOUR).open, true);
  });

  it("orders by time, not by arrival, and ignores what had not happened yet at `now`", () => {
    assert.equal(breakerState([at(2), at(0), at(1)], policy, T0 + 3 * HOUR).open, true);
    // A redelivered decision at hour 1.5 sees what the first one saw, not the failure at hour 2.
    assert.equal(breakerState([at(0), at(1), at(2)], policy, T0 + 1.5 * HOUR).open, false);
  });

  it("follows the policy: failures, cooldown, disabled", () => {
    assert.equal(breakerState([at(0)], { ...policy, failures: 1 }, T0 + HOUR).open, true);
    assert.equal(breakerState([at(0), at(1), at(2)], { ...policy, cooldownHours: 1 }, T0 + 3 * HOUR).open, false);
    assert.equal(breakerState([at(0), at(1), at(2)], { ...policy, enabled: false }, T0 + 3 * HOUR).open, false);
  });
});

const scope = { installationId: 1, repository: "octo-org/app" };
const outcomes = (outcome: RecordedOutcome["outcome"]) => [{ rule: "registry-server-error", outcome }];

/** What either store must do; `make` gives an empty one. */
function storeContract(name: string, make: () => Promise<BreakerStore>) {
  describe(name, () => {
    it("records an attempt's outcomes once, whoever brings them again", async () => {
      const store = await make();
      assert.equal(await store.record(scope, "octo-org/app:600:1", outcomes("failed-same"), T0), true);
      assert.equal(await store.record(scope, "octo-org/app:600:1", outcomes("failed-same"), T0), false);
      assert.equal(await store.record(scope, "octo-org/app:600:2", outcomes("fixed"), T0 + HOUR), true);
      assert.deepEqual(await store.history(scope, "registry-server-error"), [
        { outcome: "failed-same", at: T0 },
        { outcome: "fixed", at: T0 + HOUR },
      ]);
    });

    it("keeps each repository's and installation's rules apart", async () => {
      const store = await make();
      await store.record(scope, "octo-org/app:600:1", outcomes("failed-same"), T0);
      assert.deepEqual(await store.history({ ...scope, repository: "octo-org/other" }, "registry-server-error"), []);
      assert.deepEqual(await store.history({ ...scope, installationId: 2 }, "registry-server-error"), []);
      assert.deepEqual(await store.history(scope, "connection-dropped"), []);
      // Another installation's attempt of the same name is its own.
      assert.equal(
        await store.record({ ...scope, installationId: 2 }, "octo-org/app:600:1", outcomes("fixed"), T0),
        true,
      );
    });

    it(`keeps the latest ${MAX_OUTCOMES} outcomes of a rule`, async () => {
      const store = await make();
      for (let i = 0; i < MAX_OUTCOMES + 8; i += 1)
        await store.record(scope, `octo-org/app:${i}:1`, outcomes(i % 2 ? "fixed" : "failed-same"), T0 + i);
      const history = await store.history(scope, "registry-server-error");
      assert.equal(history.length, MAX_OUTCOMES);
      assert.equal(history.at(-1)?.at, T0 + MAX_OUTCOMES + 7);
    });
  });
}

storeContract("MemoryBreakerStore", () => Promise.resolve(new MemoryBreakerStore()));

describe("RedisBreakerStore, on a real redis-server", () => {
  const redis = suiteRedis();

  storeContract("the store", async () => {
    await redis.client.flushdb();
    return new RedisBreakerStore(redis.client);
  });

  it("lets every key expire, and skips entries of another shape", async () => {
    await redis.client.flushdb();
    const store = new RedisBreakerStore(redis.client);
    await store.record(scope, "octo-org/app:700:1", outcomes("failed-same"), T0);
    const keys = await redis.client.keys("dockhand:retry-*");
    assert.equal(keys.length, 2, keys.join(", "));
    for (const key of keys) {
      const ttl = await redis.client.ttl(key);
      assert.ok(ttl > 0 && ttl <= RETENTION_SECONDS, `${key} expires (ttl ${ttl})`);
    }
    const list = keys.find((k) => k.startsWith("dockhand:retry-breaker:"))!;
    await redis.client.rpush(list, "not json", JSON.stringify({ outcome: "exploded", at: 1 }));
    assert.deepEqual(await store.history(scope, "registry-server-error"), [{ outcome: "failed-same", at: T0 }]);
  });

  it("counts an attempt once when two replicas record it at the same moment", async () => {
    await redis.client.flushdb();
    const other = new Redis(redis.url);
    try {
      const results = await Promise.all(
        [redis.client, other, redis.client, other].map((client) =>
          new RedisBreakerStore(client).record(scope, "octo-org/app:800:1", outcomes("failed-same"), T0),
        ),
      );
      assert.deepEqual(results.filter(Boolean).length, 1);
      assert.equal((await new RedisBreakerStore(redis.client).history(scope, "registry-server-error")).length, 1);
    } finally {
      other.disconnect();
    }
  });
});
