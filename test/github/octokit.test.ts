import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReplyError } from "ioredis";
import { isTransientError } from "../../src/github/octokit.js";

/** The shape of Octokit's RequestError: a status, and the response's headers. */
const httpError = (status: number, message = "", headers: Record<string, string> = {}) => Object.assign(new Error(message), { status, response: { headers } });

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
    assert.equal(isTransientError(new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) })), true);
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
