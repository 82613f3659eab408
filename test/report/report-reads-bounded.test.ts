import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LOG_TAIL_BYTES } from "../../src/report/read-run-outputs.js";
import { FakeGitHub } from "../support/fake-github.js";
import { interceptGitHub } from "../support/nock-github.js";
import { buildJob, buildxLog, REPO, SHA1, seedRepo } from "../support/scenario.js";
import { createTestApp } from "../support/test-app.js";
import { workflowRunCompleted } from "../support/webhooks.js";
import { serveTaggedImage } from "../support/tagged-registry.js";

/** `mib` of build output, as a job prints before its push. */
function noise(mib: number): string {
  const line = `2026-11-20T10:59:00.0000000Z #9 12.3 compiling module ${"x".repeat(60)}`;
  return Array.from({ length: Math.ceil((mib * 1024 * 1024) / (line.length + 1)) }, () => line).join("\n");
}

async function reportFor(log: string, config: string, tags: string[]) {
  const { registry, digest, served } = await serveTaggedImage(tags);
  const fake = new FakeGitHub();
  const stop = interceptGitHub(fake);
  const app = await createTestApp(fake, { DOCKHAND_REGISTRIES: served.host });
  try {
    seedRepo(fake, config.replaceAll("REGISTRY", served.host));
    fake.addPull("octo-org/app", { number: 7, headRef: "feature/x", headSha: SHA1, headRepo: REPO });
    fake.setJobs("octo-org/app", 500, 1, [
      buildJob(1, log.replaceAll("REGISTRY", served.host).replaceAll("DIGEST", digest)),
    ]);
    await app.receive(
      "workflow_run",
      workflowRunCompleted({ repo: REPO, id: 500, headSha: SHA1, headBranch: "feature/x" }),
    );
    const body = fake.commentsOn("octo-org/app", 7).find((c) => c.appId === fake.app.id)?.body ?? "";
    assert.deepEqual(fake.violations, []);
    return { body, logBytes: fake.logBytesServed, registryReads: registry.reads, host: served.host };
  } finally {
    await app.close();
    stop();
    await served.close();
  }
}

const tags = (count: number) => Array.from({ length: count }, (_, i) => `t${i}`);

describe("the report reads within bounds", () => {
  it("reads the last 4 MiB of a job log, and says an earlier push may be missing", async () => {
    const log = [
      buildxLog(["REGISTRY/octo-org/app:early"], "DIGEST"),
      noise(12),
      buildxLog(["REGISTRY/octo-org/app:late"], "DIGEST"),
    ].join("\n");
    const { body, logBytes } = await reportFor(log, "report:\n  enabled: true\n", ["early", "late"]);
    assert.ok(logBytes <= LOG_TAIL_BYTES, `read ${logBytes} bytes of a ${log.length}-byte log`);
    assert.match(body, /:late` \| `sha256:[0-9a-f]{12}` \| ✅ verified/);
    assert.doesNotMatch(body, /:early`/, "the push before the last 4 MiB is not seen…");
    assert.match(
      body,
      /Only the last 4 MiB of some job logs were read \(`build-and-push`\), so images pushed earlier in them may be missing/,
      "…and the report says so",
    );
  });

  it("checks at most report.maxImageChecks tags against the registry, and lists the rest unchecked", async () => {
    const log = buildxLog(
      tags(80).map((tag) => `REGISTRY/octo-org/app:${tag}`),
      "DIGEST",
    );
    const { body, registryReads } = await reportFor(log, "report:\n  enabled: true\n", tags(80));
    assert.equal(registryReads, 50, "the default limit");
    assert.match(
      body,
      /Only the first `50` image tags were checked against the registry \(`report\.maxImageChecks`\); the others are listed unchecked\./,
    );
    assert.equal(body.match(/✅ verified/g)?.length, 50);
    assert.equal(body.match(/not looked up/g)?.length, 30);
  });

  it("checks expected tags the log does not show before pushed ones, and nothing with a limit of 0", async () => {
    const log = buildxLog(
      tags(3).map((tag) => `REGISTRY/octo-org/app:${tag}`),
      "DIGEST",
    );
    const expecting = (limit: number) =>
      `report:\n  maxImageChecks: ${limit}\n  expectedTags: ['pr-{number}']\n  images: ['REGISTRY/octo-org/app']\n`;
    const one = await reportFor(log, expecting(1), ["pr-7", ...tags(3)]);
    assert.equal(one.registryReads, 1);
    assert.match(
      one.body,
      /- ✅ `127\.0\.0\.1:\d+\/octo-org\/app:pr-7`/,
      "the expected tag, found in the registry though no log showed it",
    );
    assert.equal(one.body.match(/not looked up/g)?.length, 3);
    const zero = await reportFor(log, expecting(0), ["pr-7", ...tags(3)]);
    assert.equal(zero.registryReads, 0);
    assert.match(zero.body, /Only the first `0` image tags were checked/);
    const plenty = await reportFor(log, expecting(50), ["pr-7", ...tags(3)]);
    assert.equal(plenty.registryReads, 4, "below the limit every tag is checked");
    assert.doesNotMatch(plenty.body, /report\.maxImageChecks/);
  });
});
