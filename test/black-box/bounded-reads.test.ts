import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { LOG_TAIL_BYTES } from "../../src/report/read-run-outputs.js";
import { TAIL_STEPS } from "../../src/retry/read-job-failure.js";
import { FakeGitHub } from "../support/fake-github.js";
import { interceptGitHub } from "../support/nock-github.js";
import { hugeFailedPushLog, seedFailedRun } from "../support/scenario.js";
import { serveTaggedImage } from "../support/tagged-registry.js";
import { createTestApp } from "../support/test-app.js";

const MiB = 1024 * 1024;
const IMAGES = 5000;

/** A full garbage collection, so that what is measured is what is held. */
const collectGarbage = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

describe("a run whose log is 200 MB and names 5,000 images", () => {
  it("is reported from the log's last 4 MiB, with 50 registry checks, in bounded memory", async () => {
    const tags = Array.from({ length: IMAGES }, (_, i) => `t${i}`);
    const { registry, digest, served } = await serveTaggedImage(tags);
    const fake = new FakeGitHub();
    const stop = interceptGitHub(fake);
    const app = await createTestApp(fake, { DOCKHAND_REGISTRIES: served.host });
    try {
      const payload = seedFailedRun(fake, hugeFailedPushLog(served.host, tags, digest));

      // Peak resident memory while the delivery is handled, over what the test itself holds.
      collectGarbage();
      const before = process.memoryUsage.rss();
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
      await app.receive("workflow_run", payload);
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage.rss());

      const body = fake.commentsOn("octo-org/app", 7).find((c) => c.appId === fake.app.id)?.body ?? "";
      assert.deepEqual(fake.violations, []);
      // Requests: 50 manifest reads of 5,000 named images (ghcr.io would count 50 downloads, not 5,000).
      assert.equal(registry.reads, 50);
      // Bytes: the report's 4 MiB tail, and the retry decision's tail ranges; not the 200 MB.
      const retryTail = TAIL_STEPS.reduce((sum, size) => sum + size, 0);
      assert.ok(fake.logBytesServed <= LOG_TAIL_BYTES + retryTail, `${fake.logBytesServed} log bytes read`);
      // Memory: reading this log whole took the process to 833 MB of RSS. Now the log costs its two
      // 4 MiB tails; most of the growth (about 170 MiB, the same with a 1 MB log) is the 5,000 images'
      // parsing and the comment's rendering. Generous, so that only a whole-log read fails it.
      assert.ok(peak - before < 320 * MiB, `RSS grew by ${Math.round((peak - before) / MiB)} MiB`);
      // The comment says what was left unchecked, and that the log was read in part.
      assert.match(
        body,
        /Only the first `50` image tags were checked against the registry \(`report\.maxImageChecks`\); the others are listed unchecked\./,
      );
      assert.match(body, /Only the last 4 MiB of some job logs were read \(`build-and-push`\)/);
      assert.equal(body.match(/✅ verified/g)?.length, 50);
      // The other 4,950 are listed unchecked, or left out of the comment for its size limit.
      assert.match(body, /not looked up|more images/);
    } finally {
      await app.close();
      stop();
      await served.close();
    }
  });
});
