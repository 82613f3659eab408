import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MemoryRedeliveryState,
  RedisRedeliveryState,
  type RedeliveryState,
} from "../../src/redeliver/redelivery-state.js";
import { suiteRedis } from "../support/suite-redis.js";

/** The same behaviour of both: each mark taken once, a claim given back, the checkpoint kept. */
function behaves(make: () => RedeliveryState): void {
  it("takes each mark once", async () => {
    const state = make();
    assert.deepEqual([await state.markFound("g"), await state.markFound("g")], [true, false]);
    assert.deepEqual([await state.markRecovered("g"), await state.markRecovered("g")], [true, false]);
  });

  it("claims each redelivery of a guid once, and keeps what was asked", async () => {
    const state = make();
    assert.deepEqual((await state.records(["g", "other"])).size, 0);
    assert.equal(await state.claim("g", 1, 10), true);
    assert.equal(await state.claim("g", 1, 10), false, "another run took it");
    assert.deepEqual(await state.records(["g", "other"]), new Map([["g", { requests: 1, lastSeenId: 10 }]]));
  });

  it("gives a claim back as it was", async () => {
    const state = make();
    await state.claim("g", 1, 10);
    await state.release("g", 1, { requests: 0, lastSeenId: 0 });
    assert.deepEqual((await state.records(["g"])).get("g"), { requests: 0, lastSeenId: 0 });
    assert.equal(await state.claim("g", 1, 11), true, "the next run may ask");
  });

  it("gives up once per new attempt seen", async () => {
    const state = make();
    await state.claim("g", 3, 10);
    assert.deepEqual([await state.giveUp("g", 12), await state.giveUp("g", 12)], [true, false]);
    assert.deepEqual((await state.records(["g"])).get("g"), { requests: 3, lastSeenId: 12 });
  });

  it("keeps the checkpoint", async () => {
    const state = make();
    assert.equal(await state.checkpoint(), undefined);
    await state.saveCheckpoint(1234);
    assert.equal(await state.checkpoint(), 1234);
  });
}

describe("MemoryRedeliveryState", () => behaves(() => new MemoryRedeliveryState(() => Date.now())));

describe("RedisRedeliveryState", () => {
  const redis = suiteRedis();
  let n = 0;
  behaves(() => new RedisRedeliveryState(redis.client, `state-test-${++n}`));
});
