import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseConfig } from "../../src/config/parse-config.js";
import type { PruneConfig } from "../../src/config/schema.js";
import type { PackageVersion } from "../../src/prune/package-version.js";
import { planPrune, type PlanInput } from "../../src/prune/plan-prune.js";
import { digestOf, imageManifest, indexManifest, NOW, packageStates, trueClosure, type PackageState } from "../support/package-state.js";

const DAY = 24 * 3600 * 1000;

function pruneConfig(raw: Record<string, unknown> = {}): PruneConfig {
  const parsed = parseConfig({ prune: raw });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.config.prune;
}
const SWEEP_CONFIG = pruneConfig({ retention: [{ tags: ["feature-*"], olderThanDays: 7, keepNewest: 1 }], untaggedOlderThanDays: 14 });

/** A multi-arch image: index + two platform manifests + an attestation. */
function multiArch(name: string, tags: string[], ageDays = 3) {
  const amd = digestOf(`${name}/amd64`);
  const arm = digestOf(`${name}/arm64`);
  const att = digestOf(`${name}/att`);
  const index = indexManifest([{ digest: amd, platform: "linux/amd64" }, { digest: arm, platform: "linux/arm64" }, { digest: att, attestationFor: amd }]);
  const root = digestOf(`${name}/index`);
  return { root, amd, arm, att, manifests: [[root, index], [amd, imageManifest(amd)], [arm, imageManifest(arm)], [att, imageManifest(att)]] as [string, unknown][], ageDays, tags };
}

function stateOf(images: ReturnType<typeof multiArch>[], extra: { versions?: PackageVersion[]; manifests?: [string, unknown][] } = {}) {
  let id = 100;
  const versions: PackageVersion[] = [];
  for (const image of images) {
    for (const [digest] of image.manifests) {
      versions.push({ id: id++, digest, createdAt: NOW - image.ageDays * DAY, updatedAt: NOW - image.ageDays * DAY, tags: digest === image.root ? image.tags : [] });
    }
  }
  versions.push(...(extra.versions ?? []));
  return { versions, manifests: new Map([...images.flatMap((i) => i.manifests), ...(extra.manifests ?? [])]) };
}

const closedPr = (number: number, daysAgo = 3) => ({ number, state: "closed" as const, closedAt: NOW - daysAgo * DAY });

describe("planPrune", () => {
  it("deletes a closed PR's multi-arch image with its platform images and attestation", () => {
    const pr = multiArch("pr7", ["pr-7", "pr-7-abc1234"]);
    const plan = planPrune({ ...stateOf([pr]), config: pruneConfig(), pulls: [closedPr(7)], now: NOW, scope: { kind: "pull", number: 7 } });
    assert.deepEqual(plan.delete.map((e) => e.digest).sort(), [pr.root, pr.amd, pr.arm, pr.att].sort());
    assert.equal(plan.keep.length, 0);
    assert.match(plan.delete.find((e) => e.digest === pr.root)?.reason ?? "", /PR #7 is closed/);
    assert.match(plan.delete.find((e) => e.digest === pr.arm)?.reason ?? "", /the linux\/arm64 image of `pr-7`, which is deleted/);
  });

  it("never deletes a platform image that a kept tag's index shares", () => {
    const pr = multiArch("pr7", ["pr-7"]);
    const release = { ...multiArch("rel", ["v1.2.3"]) };
    // The release index was made with `imagetools create` from the PR's arm64 image.
    const index = indexManifest([{ digest: release.amd, platform: "linux/amd64" }, { digest: pr.arm, platform: "linux/arm64" }]);
    release.manifests = [[release.root, index], release.manifests[1]!];
    const plan = planPrune({ ...stateOf([pr, release]), config: pruneConfig(), pulls: [closedPr(7)], now: NOW, scope: { kind: "sweep" } });
    assert.ok(plan.delete.some((e) => e.digest === pr.root));
    assert.ok(!plan.delete.some((e) => e.digest === pr.arm));
    assert.match(plan.keep.find((e) => e.digest === pr.arm)?.reason ?? "", /the linux\/arm64 image of kept `v1\.2\.3`/);
  });

  it("keeps a promoted PR image and says so", () => {
    const pr = multiArch("pr7", ["pr-7", "v1.2.3"]);
    const plan = planPrune({ ...stateOf([pr]), config: pruneConfig(), pulls: [closedPr(7)], now: NOW, scope: { kind: "sweep" } });
    assert.equal(plan.delete.length, 0);
    assert.match(plan.keep.find((e) => e.digest === pr.root)?.reason ?? "", /promoted: `pr-7` is also tagged `v1\.2\.3`/);
  });

  it("keeps open PRs, PRs in their grace period and PRs it knows nothing about", () => {
    const open = multiArch("pr8", ["pr-8"]);
    const recent = multiArch("pr9", ["pr-9"]);
    const unknown = multiArch("pr10", ["pr-10"]);
    const plan = planPrune({
      ...stateOf([open, recent, unknown]),
      config: pruneConfig(),
      pulls: [{ number: 8, state: "open", closedAt: null }, { number: 9, state: "closed", closedAt: NOW - 3600 * 1000 }],
      now: NOW,
      scope: { kind: "sweep" },
    });
    assert.equal(plan.delete.length, 0);
    const reason = (digest: string) => plan.keep.find((e) => e.digest === digest)?.reason ?? "";
    assert.match(reason(open.root), /PR #8 is open/);
    assert.match(reason(recent.root), /PR #9 closed less than 24 h ago/);
    assert.match(reason(unknown.root), /PR #10's state is unknown/);
  });

  it("deletes signatures and referrers with their image, and keeps those of kept images", () => {
    const pr = multiArch("pr7", ["pr-7"]);
    const rel = multiArch("rel", ["latest"]);
    const prSig = digestOf("sig/pr7");
    const relRef = digestOf("ref/rel");
    const versions: PackageVersion[] = [
      { id: 1, digest: prSig, createdAt: NOW, updatedAt: NOW, tags: [`sha256-${pr.root.slice(7)}.sig`] },
      { id: 2, digest: relRef, createdAt: NOW, updatedAt: NOW, tags: [] },
    ];
    const plan = planPrune({
      ...stateOf([pr, rel], { versions, manifests: [[prSig, imageManifest("sig")], [relRef, imageManifest("ref", rel.root)]] }),
      config: pruneConfig({ untaggedOlderThanDays: 0 }),
      pulls: [closedPr(7)],
      now: NOW + DAY,
      scope: { kind: "sweep" },
    });
    assert.ok(plan.delete.some((e) => e.digest === prSig && /cosign signature or attestation of `pr-7`/.test(e.reason)));
    assert.ok(plan.keep.some((e) => e.digest === relRef && /OCI referrer .* of kept `latest`/.test(e.reason)));
  });

  it("deletes nothing when a kept image's manifest cannot be read, and says why", () => {
    const pr = multiArch("pr7", ["pr-7"]);
    const rel = multiArch("rel", ["latest"]);
    const state = stateOf([pr, rel]);
    state.manifests.delete(rel.root);
    const plan = planPrune({ ...state, config: pruneConfig(), pulls: [closedPr(7)], now: NOW, scope: { kind: "sweep" } });
    assert.equal(plan.delete.length, 0);
    assert.match(plan.keep.find((e) => e.digest === pr.root)?.reason ?? "", /skipped: the manifest of kept `latest` could not be read/);
  });

  it("applies retention windows with keepNewest, and the untagged window, only in the sweep", () => {
    const old1 = multiArch("f1", ["feature-a"], 30);
    const old2 = multiArch("f2", ["feature-b"], 20);
    const fresh = multiArch("f3", ["feature-c"], 2);
    const orphan = digestOf("orphan");
    const state = stateOf([old1, old2, fresh], { versions: [{ id: 9, digest: orphan, createdAt: NOW - 20 * DAY, updatedAt: NOW - 20 * DAY, tags: [] }], manifests: [[orphan, imageManifest("orphan")]] });
    const sweep = planPrune({ ...state, config: SWEEP_CONFIG, pulls: [], now: NOW, scope: { kind: "sweep" } });
    const deleted = new Set(sweep.delete.map((e) => e.digest));
    assert.ok(deleted.has(old1.root) && deleted.has(old2.root) && deleted.has(orphan));
    assert.ok(!deleted.has(fresh.root));
    assert.match(sweep.keep.find((e) => e.digest === fresh.root)?.reason ?? "", /one of the 1 newest for `feature-\*`/);
    const keepTwo = planPrune({ ...state, config: pruneConfig({ retention: [{ tags: ["feature-*"], olderThanDays: 7, keepNewest: 2 }] }), pulls: [], now: NOW, scope: { kind: "sweep" } });
    assert.deepEqual(keepTwo.delete.filter((e) => e.reason.includes("older than")).map((e) => e.digest), [old1.root]);
    const onClose = planPrune({ ...state, config: SWEEP_CONFIG, pulls: [], now: NOW, scope: { kind: "pull", number: 7 } });
    assert.equal(onClose.delete.length, 0);
  });

  it("covers every version exactly once", () => {
    const state = stateOf([multiArch("a", ["pr-1"]), multiArch("b", ["latest"])]);
    const plan = planPrune({ ...state, config: pruneConfig(), pulls: [closedPr(1)], now: NOW, scope: { kind: "sweep" } });
    const ids = [...plan.delete, ...plan.keep].map((e) => e.id).sort();
    assert.deepEqual(ids, state.versions.map((v) => v.id).sort());
  });
});

describe("planPrune properties over random package states", () => {
  it("draws states where plans delete, keep, and meet unreadable manifests (the properties are not vacuous)", () => {
    const samples = fc.sample(packageStates, { numRuns: 300, seed: 42 });
    const plans = samples.map((state) => planPrune({ versions: state.versions, manifests: state.manifests, pulls: state.pulls, config: SWEEP_CONFIG, now: NOW, scope: { kind: "sweep" } }));
    assert.ok(plans.filter((p) => p.delete.length > 0).length > 60, "many plans delete something");
    assert.ok(plans.filter((p) => p.delete.length > 0 && p.keep.length > 0).length > 30, "many plans both delete and keep");
    assert.ok(plans.filter((p) => p.keep.some((e) => e.reason.startsWith("skipped"))).length > 5, "some plans meet unreadable manifests");
    assert.ok(plans.filter((p) => p.keep.some((e) => e.reason.startsWith("promoted"))).length > 5, "some plans keep promoted PR images");
  });

  const configs = fc.constantFrom(pruneConfig(), SWEEP_CONFIG, pruneConfig({ untaggedOlderThanDays: 0, graceHours: 0 }));
  const scopes = fc.constantFrom({ kind: "sweep" as const }, { kind: "pull" as const, number: 2 });
  const inputs = fc.tuple(packageStates, configs, scopes).map(([state, config, scope]): [PackageState, PlanInput] => [state, { versions: state.versions, manifests: state.manifests, pulls: state.pulls, config, now: NOW, scope }]);

  it("never deletes anything reachable from a kept version", () => {
    fc.assert(
      fc.property(inputs, ([state, input]) => {
        const plan = planPrune(input);
        const deleted = new Set(plan.delete.map((e) => e.digest));
        for (const kept of plan.keep) {
          for (const digest of trueClosure(state, kept.digest)) assert.ok(!deleted.has(digest), `${digest} is reachable from kept ${kept.digest} (${kept.reason})`);
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
        const readable = { ...input, manifests: new Map(input.versions.map((v) => [v.digest, state.manifests.get(v.digest) ?? fallbackManifest(state, v.digest)])) };
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
              return pull?.state === "closed" && inScope && NOW - (pull.closedAt ?? NOW) >= input.config.graceHours * 3600 * 1000;
            });
          if (!closedOnly || deleted.has(version.digest)) continue;
          const keptParent = plan.keep.some((k) => k.digest !== version.digest && trueClosure(state, k.digest).has(version.digest));
          assert.ok(keptParent, `${tags.join(",")} (${version.digest}) is neither deleted nor referenced by a kept version`);
        }
      }),
      { numRuns: 500 },
    );
  });
});

/** A readable stand-in for a manifest the generator hid, with the same true references. */
function fallbackManifest(state: PackageState, digest: string): unknown {
  const children = state.trueEdges.get(digest) ?? [];
  const refs = children.filter((c) => state.versions.find((v) => v.digest === c)?.tags.every((t) => !t.startsWith("sha256-")));
  return refs.length > 0 ? indexManifest(refs.map((d) => ({ digest: d, platform: "linux/amd64" }))) : imageManifest(digest);
}
