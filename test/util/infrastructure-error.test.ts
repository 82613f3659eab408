import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Bottleneck from "bottleneck";
import { Redis, ReplyError } from "ioredis";
import { isInfrastructureError } from "../../src/util/infrastructure-error.js";
import { freePort } from "../support/net.js";

describe("isInfrastructureError", () => {
  it("recognises what Redis and Bottleneck throw under a GitHub request", async () => {
    assert.equal(isInfrastructureError(new ReplyError("ERR UNKNOWN_CLIENT")), true);
    assert.equal(isInfrastructureError(new ReplyError("ERR SETTINGS_KEY_NOT_FOUND")), true);
    // Nothing listens on the port: ioredis gives up on the command, then refuses once the connection is closed.
    const redis = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on("error", () => undefined);
    const refused = await redis.ping().catch((error: unknown) => error);
    const closed = await redis.ping().catch((error: unknown) => error);
    assert.equal(isInfrastructureError(refused), true, String(refused));
    assert.equal(isInfrastructureError(closed), true, String(closed));
    const expired = await new Bottleneck()
      .schedule({ expiration: 1 }, () => new Promise((resolve) => setTimeout(resolve, 50)))
      .catch((error: unknown) => error);
    assert.equal(isInfrastructureError(expired), true, String(expired));
  });

  it("leaves GitHub's answers and Dockhand's own errors alone", () => {
    assert.equal(isInfrastructureError(Object.assign(new Error("Not Found"), { status: 404 })), false);
    assert.equal(isInfrastructureError(new TypeError("fetch failed")), false);
    assert.equal(isInfrastructureError(new Error("invalid .github/dockhand.yml")), false);
    assert.equal(isInfrastructureError("ERR UNKNOWN_CLIENT"), false);
  });
});
