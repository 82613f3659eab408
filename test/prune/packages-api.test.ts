import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PackageVersion } from "../../src/prune/package-version.js";
import { listVersions } from "../../src/prune/packages-api.js";
import { FakeGitHub } from "../support/fake-github.js";
import { startHttpGitHub } from "../support/http-github.js";
import { interceptGitHub } from "../support/nock-github.js";
import { testOctokit } from "../support/test-octokit.js";

const PKG = { owner: "octo-org", ownerKind: "Organization" as const, name: "app" };

function versions(from: number, count: number): PackageVersion[] {
  return Array.from({ length: count }, (_, i) => ({
    id: from + i,
    digest: `sha256:${String(from + i).padStart(64, "0")}`,
    createdAt: 0,
    updatedAt: 0,
    tags: [],
  }));
}

describe("listing a package's versions", () => {
  it("asks for the pages the first one names together, a few at a time, a small package unpaced", async () => {
    const github = await startHttpGitHub({ latencyMs: 300 });
    try {
      github.fake.addPackage({ owner: "octo-org", name: "app", versions: versions(1, 950) });
      const pages: number[] = [];
      const listed = await listVersions(testOctokit(`http://${github.host}/api/v3`), PKG, (page) =>
        pages.push(page.length),
      );
      assert.equal(listed.length, 950);
      assert.deepEqual(
        listed.map((v) => v.id),
        versions(1, 950).map((v) => v.id),
      );
      assert.deepEqual(
        pages.sort((a, b) => a - b),
        [50, 100, 100, 100, 100, 100, 100, 100, 100, 100],
        "each page told as it arrives",
      );
      const exchanges = github.exchanges.filter((e) => e.path.includes("/versions"));
      assert.equal(exchanges.length, 10);
      // One after another the nine after the first would take 2.7 s; they go together.
      const rest = exchanges.at(-1)!.end - exchanges[0]!.end;
      assert.ok(rest < 2000, `${Math.round(rest)} ms`);
      // Ten pages are far below any rate limit: the first four after the first start at once, not 100 ms apart.
      const starts = exchanges.slice(1, 5).map((e) => e.start);
      assert.ok(starts.at(-1)! - starts[0]! < 60, `${Math.round(starts.at(-1)! - starts[0]!)} ms`);
      const inFlight = Math.max(
        ...exchanges.map(
          (page) => exchanges.filter((other) => other.start <= page.start && other.end > page.start).length,
        ),
      );
      assert.ok(inFlight >= 2 && inFlight <= 4, `${inFlight} at once`);
      assert.deepEqual(github.fake.violations, []);
    } finally {
      await github.close();
    }
  });

  it("paces the pages past the first 20, 100 ms apart, however fast GitHub answers", async () => {
    const github = await startHttpGitHub({ latencyMs: 0 });
    try {
      github.fake.addPackage({ owner: "octo-org", name: "app", versions: versions(1, 3000) });
      const listed = await listVersions(testOctokit(`http://${github.host}/api/v3`), PKG);
      assert.equal(listed.length, 3000);
      const starts = github.exchanges.filter((e) => e.path.includes("/versions")).map((e) => e.start);
      assert.equal(starts.length, 30);
      // Pages 21 to 30: the first at once, the other nine each 100 ms after the previous start (900 ms,
      // give or take the loopback's jitter); the first 20 wait for nothing.
      assert.ok(starts[29]! - starts[20]! >= 860, `${Math.round(starts[29]! - starts[20]!)} ms`);
      assert.ok(starts[19]! - starts[0]! < 800, `${Math.round(starts[19]! - starts[0]!)} ms`);
      assert.deepEqual(github.fake.violations, []);
    } finally {
      await github.close();
    }
  });

  it("follows a list that grew while it was read, so no version pushed down a page is missed", async () => {
    const fake = new FakeGitHub();
    const stop = interceptGitHub(fake);
    try {
      fake.addPackage({ owner: "octo-org", name: "app", versions: versions(1, 150) });
      const handle = fake.handle.bind(fake);
      let grown = false;
      fake.handle = async (request) => {
        const answer = await handle(request);
        if (!grown && request.url.pathname.endsWith("/versions")) {
          grown = true;
          // Newest first, as GitHub lists: 60 new versions push the old ones onto a third page.
          const pkg = fake.packages.get("octo-org/app")!;
          pkg.versions = [...versions(1000, 60), ...pkg.versions];
        }
        return answer;
      };
      const listed = await listVersions(testOctokit(), PKG);
      // The first page named 2 as the last; the second named a third, where the last 10 old versions went.
      assert.equal(fake.countRequests("GET", /\/versions/), 3);
      assert.deepEqual(
        listed.map((v) => v.id).sort((a, b) => a - b),
        versions(1, 150).map((v) => v.id),
        "every version listed when the first page was read, once (the newest are the next run's)",
      );
      assert.deepEqual(fake.violations, []);
    } finally {
      stop();
    }
  });

  it("refuses a package past the pages it reads, naming it, rather than plan deletes from part of it", async () => {
    const fake = new FakeGitHub();
    const stop = interceptGitHub(fake);
    try {
      fake.addPackage({ owner: "octo-org", name: "app", versions: versions(1, 450) });
      // The first page names page 5 as the last: past a cap of 3, nothing more is asked for.
      await assert.rejects(
        listVersions(testOctokit(), PKG, undefined, 3),
        /GitHub names page 5 of octo-org\/app's versions, past the 3 pages \(300 versions\) Dockhand reads; it plans nothing from part of a package/,
      );
      assert.equal(fake.countRequests("GET", /\/versions/), 1);
      // A list that keeps growing past the cap while it is read stops at the cap too.
      const handle = fake.handle.bind(fake);
      let added = 0;
      fake.handle = async (request) => {
        const answer = await handle(request);
        const pkg = fake.packages.get("octo-org/app")!;
        if (request.url.pathname.endsWith("/versions"))
          pkg.versions = [...versions(10_000 + 100 * added++, 100), ...pkg.versions];
        return answer;
      };
      fake.packages.get("octo-org/app")!.versions = versions(1, 250);
      await assert.rejects(
        listVersions(testOctokit(), PKG, undefined, 5),
        /GitHub names page 6 of octo-org\/app's versions/,
      );
      assert.equal(fake.countRequests("GET", /\/versions/), 1 + 5);
      assert.deepEqual(fake.violations, []);
    } finally {
      stop();
    }
  });
});
