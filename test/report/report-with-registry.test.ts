import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { REPORT_MARKER } from "../../src/comment/render-comment.js";
import { FakeGitHub } from "../support/fake-github.js";
import { startLocalRegistry, type LocalRegistry } from "../support/local-registry.js";
import { interceptGitHub } from "../support/nock-github.js";
import { buildJob, buildxLog, DIGEST_A, REPO, SHA1, seedRepo } from "../support/scenario.js";
import { createTestApp } from "../support/test-app.js";
import { workflowRunCompleted } from "../support/webhooks.js";

describe("report checks pushed images against a real registry", () => {
  let registry: LocalRegistry;
  before(async () => {
    registry = await startLocalRegistry();
  });
  after(() => registry.stop());

  it("verifies digests and platforms, flags a moved tag and a missing one", async () => {
    const app = `${registry.host}/octo-org/app`;
    const digest = await registry.push(`${app}:pr-7`, ["linux/amd64", "linux/arm64"]);
    await registry.push(`${app}:pr-7-moved`, ["linux/amd64"]);
    const fake = new FakeGitHub();
    const stop = interceptGitHub(fake);
    try {
      const { receive } = await createTestApp(fake, { DOCKHAND_REGISTRIES: `ghcr.io,${registry.host}` });
      seedRepo(fake, `report:\n  expectedTags: ['pr-{number}', 'pr-{number}-{sha7}']\n  images: ['${app}']\n`);
      fake.addPull("octo-org/app", { number: 7, headRef: "feature/x", headSha: SHA1, headRepo: REPO });
      fake.setJobs("octo-org/app", 500, 1, [
        buildJob(
          1,
          [buildxLog([`${app}:pr-7`], digest), buildxLog([`${app}:pr-7-moved`, `${app}:gone`], DIGEST_A)].join("\n"),
        ),
      ]);
      await receive(
        "workflow_run",
        workflowRunCompleted({ repo: REPO, id: 500, headSha: SHA1, headBranch: "feature/x" }),
      );
      const body = fake.commentsOn("octo-org/app", 7).find((c) => c.body.startsWith(REPORT_MARKER))?.body ?? "";
      const row = (tag: string) => body.split("\n").find((line) => line.startsWith(`| \`${app}:${tag}\``)) ?? "";
      assert.match(row("pr-7"), /✅ verified: `linux\/amd64`, `linux\/arm64`/);
      assert.match(row("pr-7-moved"), /⚠️ tag now points to `sha256:/);
      assert.match(row("gone"), /❌ not found in the registry/);
      assert.match(body, /❌ `127\.0\.0\.1:\d+\/octo-org\/app:pr-7-1111111` was expected but not pushed/);
      assert.match(body, new RegExp(`docker pull ${app.replaceAll(".", "\\.")}@${digest}`));
      assert.deepEqual(fake.violations, []);
    } finally {
      stop();
    }
  });
});
