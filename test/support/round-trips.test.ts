import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startHttpGitHub } from "./http-github.js";
import { sequentialRoundTrips } from "./round-trips.js";

const at = (start: number, end: number) => ({ start, end });

describe("sequentialRoundTrips", () => {
  it("counts 3 for three requests one after another, 1 for three at once", () => {
    assert.equal(sequentialRoundTrips([at(0, 10), at(10, 20), at(21, 30)]), 3);
    assert.equal(sequentialRoundTrips([at(0, 10), at(1, 11), at(2, 12)]), 1);
  });

  it("follows the longest chain, whatever runs beside it", () => {
    // a token, then three reads together, one of which is followed by two more; a long read beside them.
    const exchanges = [at(0, 5), at(6, 10), at(6, 12), at(6, 30), at(11, 15), at(16, 20)];
    assert.equal(sequentialRoundTrips(exchanges), 4);
    assert.equal(sequentialRoundTrips([]), 0);
    // unanswered requests are not counted
    assert.equal(sequentialRoundTrips([at(0, 5), at(6, 0)]), 1);
  });

  it("tells serial from concurrent requests against the HTTP fake with latency", async () => {
    const github = await startHttpGitHub({ latencyMs: 30 });
    const get = () => fetch(`http://${github.host}/api/v3/app`).then((r) => r.arrayBuffer());
    try {
      for (let i = 0; i < 3; i += 1) await get();
      assert.equal(sequentialRoundTrips(github.exchanges), 3);
      github.exchanges.length = 0;
      const started = performance.now();
      await Promise.all([get(), get(), get()]);
      assert.equal(sequentialRoundTrips(github.exchanges), 1);
      assert.ok(performance.now() - started >= 30, "every answer waits for the latency");
    } finally {
      await github.close();
    }
  });
});
