import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import type { Octokit } from "../../src/github/octokit.js";
import { dockhandOctokit } from "../../src/github/octokit-options.js";
import { Metrics } from "../../src/ops/metrics.js";
import { FakeGitHub } from "../support/fake-github.js";
import { interceptGitHub } from "../support/nock-github.js";
import { digestOf } from "../support/package-state.js";
import { SHA1, seedRepo } from "../support/scenario.js";
import { testSettings } from "../support/test-settings.js";

describe("Metrics", () => {
  it("counts GitHub requests by route and status, re-runs, pruned versions and rate limits", async () => {
    const fake = new FakeGitHub();
    const stop = interceptGitHub(fake);
    try {
      seedRepo(fake);
      fake.addRun("octo-org/app", { id: 600, workflowId: 77, headSha: SHA1, headBranch: "x" });
      fake.setJobs("octo-org/app", 600, 1, []);
      fake.addPackage({
        owner: "octo-org",
        name: "app",
        versions: [1, 2].map((id) => ({ id, digest: digestOf(`v${id}`), createdAt: 0, updatedAt: 0, tags: [] })),
      });
      const metrics = new Metrics();
      const octokit = metrics.instrument(
        new (dockhandOctokit(testSettings()))({
          auth: { token: "ghp_metrics" },
          log: pino({ level: "silent" }),
        }) as unknown as Octokit,
      );
      await octokit.rest.actions.reRunWorkflowFailedJobs({ owner: "octo-org", repo: "app", run_id: 600 });
      await octokit.rest.packages.deletePackageVersionForOrg({
        org: "octo-org",
        package_type: "container",
        package_name: "app",
        package_version_id: 1,
      });
      await assert.rejects(
        octokit.rest.packages.deletePackageVersionForOrg({
          org: "octo-org",
          package_type: "container",
          package_name: "app",
          package_version_id: 9,
        }),
      );
      const text = await metrics.registry.metrics();
      assert.match(text, /dockhand_reruns_total\{kind="failed-jobs"\} 1/);
      assert.match(text, /dockhand_versions_pruned_total 1/);
      assert.match(
        text,
        /dockhand_github_requests_total\{method="DELETE",route="\/orgs\/\{org\}\/packages\/\{package_type\}\/\{package_name\}\/versions\/\{package_version_id\}",status="404"\} 1/,
      );
      assert.deepEqual(fake.violations, []);
    } finally {
      stop();
    }
  });
});
