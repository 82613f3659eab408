import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import semver from "semver";

/**
 * `npm ci` warns EBADENGINE for every installed package whose `engines.node` does not admit the running
 * Node. Each Node line Dockhand's own `engines` admits (from its lowest version) must therefore be admitted
 * by every package in the lock, dev dependencies included, and so must the Node versions CI tests.
 */
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, { engines?: { node?: string } | string[] }>;
};

const floors = new semver.Range(pkg.engines.node).set.map(
  (comparators) => semver.minVersion(comparators.map((c) => c.value).join(" "))?.version ?? "",
);
const tested = ["20.19.0", "26.0.0", process.versions.node];

describe("engines", () => {
  it("Dockhand's engines start at Node 20.19 and admit the versions CI tests", () => {
    assert.equal(floors[0], "20.19.0");
    for (const version of tested)
      assert.ok(semver.satisfies(version, pkg.engines.node), `${version} is outside ${pkg.engines.node}`);
  });

  it("every locked package admits each Node line Dockhand claims and CI tests (no EBADENGINE)", () => {
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!path || !range) continue;
      for (const version of [...floors, ...tested]) {
        if (!semver.satisfies(version, range)) refusing.push(`${path} (engines.node ${range}) refuses Node ${version}`);
      }
    }
    assert.deepEqual(refusing, []);
  });
});
