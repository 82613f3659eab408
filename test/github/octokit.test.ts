import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReplyError } from "ioredis";
import { isTransientError, rateLimitDelay } from "../../src/github/octokit.js";

/** The shape of Octokit's RequestError: a status, and the response's headers. */
const httpError = (status: number, message = "", headers: Record<string, string> = {}) =>
  Object.assign(new Error(message), { status, response: { headers } });

describe("isTransientError", () => {
  it("calls 5xx answers, lost connections (Octokit's 500), and rate limits transient", () => {
    assert.equal(isTransientError(httpError(502, "Bad Gateway")), true);
    assert.equal(isTransientError(httpError(500, "socket hang up")), true);
    assert.equal(isTransientError(httpError(429)), true);
    assert.equal(isTransientError(httpError(403, "You have exceeded a secondary rate limit.")), true);
    assert.equal(isTransientError(httpError(403, "forbidden", { "retry-after": "60" })), true);
    assert.equal(isTransientError(httpError(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0" })), true);
  });

  it("calls a plain fetch's network failure and timeout transient", () => {
    assert.equal(
      isTransientError(
        new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }),
      ),
      true,
    );
    assert.equal(isTransientError(new DOMException("The operation was aborted due to timeout", "TimeoutError")), true);
  });

  it("calls Redis or a limiter failing under the request transient", () => {
    assert.equal(isTransientError(new ReplyError("ERR UNKNOWN_CLIENT")), true);
  });

  it("calls refusals, missing things and our own errors lasting", () => {
    assert.equal(isTransientError(httpError(404, "Not Found")), false);
    assert.equal(isTransientError(httpError(403, "Resource not accessible by integration")), false);
    assert.equal(isTransientError(httpError(401, "Bad credentials")), false);
    assert.equal(isTransientError(httpError(422, "Validation Failed")), false);
    assert.equal(isTransientError(new Error("Configuration could not be parsed (invalid YAML)")), false);
    assert.equal(isTransientError(new TypeError("Cannot read properties of undefined")), false);
    assert.equal(isTransientError("boom"), false);
  });
});

describe("rateLimitDelay", () => {
  const now = Date.parse("2026-11-20T12:00:00Z");
  it("waits retry-after seconds when GitHub names them", () => {
    assert.equal(
      rateLimitDelay(httpError(403, "You have exceeded a secondary rate limit.", { "retry-after": "30" }), now),
      30_000,
    );
    assert.equal(rateLimitDelay(httpError(429, "", { "retry-after": "0" }), now), 0);
  });

  it("waits until the reset and a second when no requests remain, on GitHub's clock", () => {
    const reset = String(now / 1000 + 600);
    assert.equal(
      rateLimitDelay(
        httpError(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }),
        now,
      ),
      601_000,
    );
    // The answer's date says GitHub's clock is 100 s ahead of ours: the wait is GitHub's.
    const date = new Date(now + 100_000).toUTCString();
    assert.equal(
      rateLimitDelay(
        httpError(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset, date }),
        now,
      ),
      501_000,
    );
  });

  it("waits a minute when a rate limit names no time, and never more than an hour", () => {
    assert.equal(rateLimitDelay(httpError(403, "You have exceeded a secondary rate limit."), now), 60_000);
    // A secondary limit keeps the primary window's headers: its reset is not the time to wait for.
    assert.equal(
      rateLimitDelay(
        httpError(403, "You have exceeded a secondary rate limit.", {
          "x-ratelimit-remaining": "4000",
          "x-ratelimit-reset": String(now / 1000 + 3000),
        }),
        now,
      ),
      60_000,
    );
    assert.equal(rateLimitDelay(httpError(429, "", { "retry-after": "86400" }), now), 3_600_000);
  });

  it("is no rate limit for any other answer", () => {
    for (const error of [
      httpError(403, "Resource not accessible by integration"),
      httpError(502, "Bad Gateway"),
      httpError(404),
      new Error("boom"),
    ]) {
      assert.equal(rateLimitDelay(error, now), undefined);
    }
  });
});
