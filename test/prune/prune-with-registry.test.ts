import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { FakeGitHub } from "../support/fake-github.js";
import {
  MANIFEST_ACCEPT,
  packageVersionsIn,
  startLocalRegistry,
  type LocalRegistry,
} from "../support/local-registry.js";
import { interceptGitHub } from "../support/nock-github.js";
import { REPO, SHA1, seedRepo } from "../support/scenario.js";
import { createTestApp } from "../support/test-app.js";
import { pullRequestClosed } from "../support/webhooks.js";

const run = promisify(execFile);

describe("prune against a real registry", () => {
  let registry: LocalRegistry;
  before(async () => {
    registry = await startLocalRegistry();
  });
  after(() => registry.stop());

  it("prunes a closed PR's multi-arch image and leaves every kept tag complete", async () => {
    const repo = `${registry.host}/octo-org/app`;
    await registry.push(`${repo}:pr-7`, ["linux/amd64", "linux/arm64"], { content: "release-1" });
    // The release was promoted from the PR's arm64 build: the same platform manifest sits under both indexes.
    await registry.push(`${repo}:v1.0.0`, ["linux/arm64"], { content: "release-1" });
    await registry.push(`${repo}:latest`, ["linux/arm64"], { content: "release-1" });
    await registry.push(`${repo}:pr-8`, ["linux/amd64", "linux/arm/v7"], { content: "next" });
    const versions = await packageVersionsIn(registry.host, "octo-org/app");
    const pr7 = versions.find((v) => v.tags.includes("pr-7"));
    assert.ok(pr7);

    const fake = new FakeGitHub();
    const stop = interceptGitHub(fake);
    try {
      fake.addPackage({ owner: "octo-org", name: "app", versions });
      fake.onPackageDelete = async (_pkg, version) => {
        const response = await fetch(`http://${registry.host}/v2/octo-org/app/manifests/${version.digest}`, {
          method: "DELETE",
        });
        assert.equal(response.status, 202, `registry deleted ${version.digest}`);
      };
      const app = await createTestApp(fake, {
        DOCKHAND_PACKAGES_TOKEN: "ghp_classic_test_token",
        DOCKHAND_CONTAINER_REGISTRY: registry.host,
        DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "0",
      });
      seedRepo(fake);
      fake.addPull("octo-org/app", {
        number: 7,
        headRef: "feature/x",
        headSha: SHA1,
        headRepo: REPO,
        state: "closed",
        closedAt: "2026-11-20T11:00:00Z",
      });
      fake.addPull("octo-org/app", { number: 8, headRef: "feature/y", headSha: SHA1, headRepo: REPO });
      await app.receive(
        "pull_request",
        pullRequestClosed({ repo: REPO, number: 7, headSha: SHA1, closedAt: "2026-11-20T11:00:00Z" }),
      );
      await app.advance(24 * 3600 * 1000);
      await app.close();

      const deleted = versions.filter((v) => !fake.packageVersions("octo-org", "app").some((kept) => kept.id === v.id));
      assert.equal(deleted.length, 2, "pr-7's index and its amd64 image; its arm64 image is the release's too");
      assert.ok(deleted.some((v) => v.id === pr7.id));
      const gone = await fetch(`http://${registry.host}/v2/octo-org/app/manifests/${pr7.digest}`, {
        headers: { accept: MANIFEST_ACCEPT },
      });
      assert.equal(gone.status, 404);

      // Every kept tag copies out completely: no "manifest unknown" for any child.
      const out = mkdtempSync(join(tmpdir(), "dockhand-copy-"));
      try {
        for (const tag of ["v1.0.0", "latest", "pr-8"]) {
          await run("skopeo", [
            "--insecure-policy",
            "copy",
            "--all",
            "--src-tls-verify=false",
            `docker://${repo}:${tag}`,
            `oci:${join(out, tag)}:copy`,
          ]);
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
      await assert.rejects(
        run("skopeo", ["inspect", "--tls-verify=false", `docker://${repo}:pr-7`]),
        /manifest unknown|not found/i,
      );
      assert.deepEqual(fake.violations, []);
    } finally {
      stop();
    }
  });
});
