import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseConfig } from "../../src/config/parse-config.js";
import type { PruneConfig } from "../../src/config/schema.js";
import { planPrune, type PlanInput } from "../../src/prune/plan-prune.js";
import {
  imageManifest,
  indexManifest,
  NOW,
  packageStates,
  trueClosure,
  type PackageState,
} from "../support/package-state.js";

function pruneConfig(raw: Record<string, unknown> = {}): PruneConfig {
  const parsed = parseConfig({ prune: raw });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.config.prune;
}
const SWEEP_CONFIG = pruneConfig({
  retention: [{ tags: ["feature-*"], olderThanDays: 7, keepNewest: 1 }],
  untaggedOlderThanDays: 14,
});

// The example cases are data: test/fixtures/prune-cases, run through planPrune and `dockhand plan` by prune-cases.test.ts.
describe("planPrune properties over random package states", () => {
  it("draws states where plans delete, keep, and meet unreadable manifests (the properties are not vacuous)", () => {
    const samples = fc.sample(packageStates, { numRuns: 300, seed: 42 });
    const plans = samples.map((state) =>
      planPrune({
        versions: state.versions,
        manifests: state.manifests,
        pulls: state.pulls,
        config: SWEEP_CONFIG,
        now: NOW,
        scope: { kind: "sweep" },
      }),
    );
    assert.ok(plans.filter((p) => p.delete.length > 0).length > 60, "many plans delete something");
    assert.ok(
      plans.filter((p) => p.delete.length > 0 && p.keep.length > 0).length > 30,
      "many plans both delete and keep",
    );
    assert.ok(
      plans.filter((p) => p.keep.some((e) => e.reason.startsWith("skipped"))).length > 5,
      "some plans meet unreadable manifests",
    );
    assert.ok(
      plans.filter((p) => p.keep.some((e) => e.reason.startsWith("promoted"))).length > 5,
      "some plans keep promoted PR images",
    );
  });

  const configs = fc.constantFrom(
    pruneConfig(),
    SWEEP_CONFIG,
    pruneConfig({ untaggedOlderThanDays: 0, graceHours: 0 }),
  );
  const scopes = fc.constantFrom({ kind: "sweep" as const }, { kind: "pull" as const, number: 2 });
  const inputs = fc
    .tuple(packageStates, configs, scopes)
    .map(([state, config, scope]): [PackageState, PlanInput] => [
      state,
      { versions: state.versions, manifests: state.manifests, pulls: state.pulls, config, now: NOW, scope },
    ]);

  it("never deletes anything reachable from a kept version", () => {
    fc.assert(
      fc.property(inputs, ([state, input]) => {
        const plan = planPrune(input);
        const deleted = new Set(plan.delete.map((e) => e.digest));
        for (const kept of plan.keep) {
          for (const digest of trueClosure(state, kept.digest))
            assert.ok(!deleted.has(digest), `${digest} is reachable from kept ${kept.digest} (${kept.reason})`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("is idempotent: planning again after the plan deletes nothing more", () => {
    fc.assert(
      fc.property(inputs, ([, input]) => {
        const plan = planPrune(input);
        const deleted = new Set(plan.delete.map((e) => e.digest));
        const again = planPrune({ ...input, versions: input.versions.filter((v) => !deleted.has(v.digest)) });
        assert.deepEqual(again.delete, []);
      }),
      { numRuns: 500 },
    );
  });

  it("deletes every closed-PR-only image that nothing kept references, when every manifest can be read", () => {
    fc.assert(
      fc.property(inputs, ([state, input]) => {
        const readable = {
          ...input,
          manifests: new Map(
            input.versions.map((v) => [v.digest, state.manifests.get(v.digest) ?? fallbackManifest(state, v.digest)]),
          ),
        };
        const plan = planPrune(readable);
        const deleted = new Set(plan.delete.map((e) => e.digest));
        const pulls = new Map(input.pulls.map((p) => [p.number, p]));
        for (const version of input.versions) {
          const tags = version.tags.filter((t) => !t.startsWith("sha256-"));
          const closedOnly =
            tags.length > 0 &&
            tags.every((t) => {
              const n = /^pr-(\d+)(?:-.*)?$/.exec(t)?.[1];
              const pull = n === undefined ? undefined : pulls.get(Number(n));
              const inScope = input.scope.kind === "sweep" || input.scope.number === Number(n);
              return (
                pull?.state === "closed" &&
                inScope &&
                NOW - (pull.closedAt ?? NOW) >= input.config.graceHours * 3600 * 1000
              );
            });
          if (!closedOnly || deleted.has(version.digest)) continue;
          const keptParent = plan.keep.some(
            (k) => k.digest !== version.digest && trueClosure(state, k.digest).has(version.digest),
          );
          assert.ok(
            keptParent,
            `${tags.join(",")} (${version.digest}) is neither deleted nor referenced by a kept version`,
          );
        }
      }),
      { numRuns: 500 },
    );
  });
});

/** A readable stand-in for a manifest the generator hid, with the same true references. */
function fallbackManifest(state: PackageState, digest: string): unknown {
  const children = state.trueEdges.get(digest) ?? [];
  const refs = children.filter((c) =>
    state.versions.find((v) => v.digest === c)?.tags.every((t) => !t.startsWith("sha256-")),
  );
  return refs.length > 0
    ? indexManifest(refs.map((d) => ({ digest: d, platform: "linux/amd64" })))
    : imageManifest(digest);
}
