import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { describe, it } from "node:test";
import { pino } from "pino";
import { parseConfig } from "../../src/config/parse-config.js";
import type { PackageVersion } from "../../src/prune/package-version.js";
import { prunePackage } from "../../src/prune/prune-package.js";
import { WriteLanes } from "../../src/prune/write-lanes.js";
import { RegistryClient } from "../../src/registry/registry-client.js";
import { FakeRegistry } from "../support/fake-registry.js";
import { startHttpGitHub } from "../support/http-github.js";
import { testOctokit } from "../support/test-octokit.js";

const NOW = Date.parse("2026-11-21T12:00:00Z");
const OLD = NOW - 40 * 24 * 3600 * 1000;
const parsed = parseConfig({ prune: { untaggedOlderThanDays: 30 } });
if (!parsed.ok) throw new Error("bad test config");
const prune = parsed.config.prune;

/** An index of two platform images, its digest and theirs, stored in `registry`. */
function image(registry: FakeRegistry, name: string): { index: string; leaves: string[] } {
  const leaves = ["amd64", "arm64"].map((arch) =>
    registry.put({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { digest: `sha256:${name}-${arch}` },
      layers: [],
    }),
  );
  const index = registry.put({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: leaves.map((digest, i) => ({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest,
      size: 1,
      platform: { os: "linux", architecture: i === 0 ? "amd64" : "arm64" },
    })),
  });
  return { index, leaves };
}

describe("prunePackage's reads", () => {
  it("reads each list page's tagged manifests as it arrives, and which untagged ones from the whole list", async () => {
    const registry = new FakeRegistry();
    const versions: PackageVersion[] = [];
    const add = (digest: string, tags: string[]) =>
      versions.push({ id: versions.length + 1, digest, createdAt: OLD, updatedAt: OLD, tags });
    // Page 1 opens with the platform images of an index listed on the last page: they are declared
    // leaves, known only once the whole list is read, and must not be downloaded.
    const late = image(registry, "late");
    for (const leaf of late.leaves) add(leaf, []);
    const images = Array.from({ length: 70 }, (_, i) => image(registry, `img${i}`));
    for (const [i, { index, leaves }] of images.entries()) {
      add(index, [`pr-${i + 1}`]);
      for (const leaf of leaves) add(leaf, []);
    }
    // Untagged and declared by no index: its manifest is read (it may be a signature of a kept image).
    const orphan = registry.put({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { digest: "sha256:orphan" },
      layers: [],
    });
    add(orphan, []);
    add(late.index, ["v1.0.0"]);
    assert.equal(versions.length, 214, "three pages");

    const github = await startHttpGitHub({ latencyMs: 200 });
    const served = await registry.serve();
    const reads: { digest: string; at: number }[] = [];
    const client = new RegistryClient({
      allowList: [served.host],
      fetch: (url, init) => {
        reads.push({ digest: decodeURIComponent(String(url).split("/").at(-1)!), at: performance.now() });
        return fetch(url, init);
      },
    });
    try {
      github.fake.addPackage({ owner: "octo-org", name: "app", versions });
      const result = await prunePackage(
        {
          owner: "octo-org",
          name: "app",
          config: prune,
          // Even PRs closed long ago, odd ones open.
          pullStates: () =>
            Promise.resolve(
              images.map((_, i) => ({
                number: i + 1,
                state: i % 2 === 0 ? ("open" as const) : ("closed" as const),
                closedAt: i % 2 === 0 ? null : OLD,
              })),
            ),
          scope: { kind: "sweep" },
          now: NOW,
          dryRun: true,
        },
        {
          access: (_owner, work) => work({ octokit: testOctokit(`http://${github.host}/api/v3`), credential: "test" }),
          registry: client,
          containerRegistry: served.host,
          lanes: new WriteLanes(0),
          log: pino({ level: "silent" }),
        },
      );
      const pages = github.exchanges.filter((e) => e.path.includes("/versions"));
      assert.equal(pages.length, 3);
      const listed = Math.max(...pages.map((e) => e.end));
      const firstPageTagged = versions.slice(0, 100).filter((v) => v.tags.length > 0);
      assert.ok(
        firstPageTagged.every((v) => reads.some((r) => r.digest === v.digest && r.at < listed)),
        "the first page's tagged manifests were read before the list was complete",
      );
      // The same reads as when every read waited for the list: each tagged manifest and the orphan, once.
      const tagged = versions.filter((v) => v.tags.length > 0).map((v) => v.digest);
      assert.deepEqual(reads.map((r) => r.digest).sort(), [...tagged, orphan].sort());
      assert.equal(result.manifestReads, tagged.length + 1);
      assert.deepEqual(result.unreadManifests, []);
      // The late index's leaves stay with it, though listed before it; the closed PRs' images go whole.
      const deleted = new Set(result.plan.delete.map((entry) => entry.digest));
      for (const leaf of late.leaves) assert.ok(!deleted.has(leaf));
      assert.equal(result.plan.delete.length, 35 * 3 + 1, "35 closed PRs' indexes and leaves, and the old orphan");
      assert.deepEqual(github.fake.violations, []);
    } finally {
      await github.close();
      await served.close();
    }
  });
});
