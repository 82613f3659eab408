import { createHash } from "node:crypto";
import fc from "fast-check";
import type { PackageVersion, PullState } from "../../src/prune/package-version.js";

/** A package state built from image shapes, with the true graph kept on the side to check plans against. */
export interface PackageState {
  versions: PackageVersion[];
  manifests: Map<string, unknown>;
  pulls: PullState[];
  /** digest → digests it truly references (children, referrers, cosign artifacts), whatever is readable. */
  trueEdges: Map<string, string[]>;
}

export const NOW = Date.parse("2026-11-21T12:00:00Z");
const DAY = 24 * 3600 * 1000;
const INDEX = "application/vnd.oci.image.index.v1+json";
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";

export function digestOf(seed: string): string {
  return `sha256:${createHash("sha256").update(seed).digest("hex")}`;
}

export function imageManifest(seed: string, subject?: string): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: digestOf(`${seed}/config`), size: 100 },
    layers: [
      { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digestOf(`${seed}/layer`), size: 1000 },
    ],
    ...(subject ? { subject: { mediaType: MANIFEST, digest: subject, size: 500 } } : {}),
  };
}

export function indexManifest(
  children: { digest: string; platform?: string; attestationFor?: string }[],
): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: INDEX,
    manifests: children.map((c) => {
      if (c.attestationFor) {
        return {
          mediaType: MANIFEST,
          digest: c.digest,
          size: 500,
          platform: { os: "unknown", architecture: "unknown" },
          annotations: {
            "vnd.docker.reference.type": "attestation-manifest",
            "vnd.docker.reference.digest": c.attestationFor,
          },
        };
      }
      const [os = "linux", architecture = "amd64", variant] = (c.platform ?? "linux/amd64").split("/");
      return {
        mediaType: c.platform ? MANIFEST : INDEX,
        digest: c.digest,
        size: 500,
        platform: { os, architecture, ...(variant ? { variant } : {}) },
      };
    }),
  };
}

const TAGS = [
  "latest",
  "v1.2.3",
  "main-abc1234",
  "feature-login",
  "feature-x",
  "pr-1",
  "pr-1-abc1234",
  "pr-2",
  "pr-2-def5678",
  "pr-3",
  "pr-4",
  "pr-5",
];
const PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7"];

interface ImageShape {
  kind: "single" | "multi";
  platforms: number[];
  sharedChild: number | null;
  attestation: boolean;
  nestedIn: boolean;
  tags: number[];
  signature: boolean;
  referrer: boolean;
  ageDays: number;
}

const imageShape: fc.Arbitrary<ImageShape> = fc.record({
  kind: fc.constantFrom("single" as const, "multi" as const),
  platforms: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
  sharedChild: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  attestation: fc.boolean(),
  nestedIn: fc.boolean(),
  tags: fc.uniqueArray(fc.integer({ min: 0, max: TAGS.length - 1 }), { maxLength: 3 }),
  signature: fc.boolean(),
  referrer: fc.boolean(),
  ageDays: fc.integer({ min: 0, max: 60 }),
});

const pullShape = fc.record({ open: fc.boolean(), closedDaysAgo: fc.integer({ min: 0, max: 10 }) });

/** Random package states: multi-arch indexes, shared and nested children, attestations, signatures, referrers, promoted PR images. */
export const packageStates: fc.Arbitrary<PackageState> = fc
  .record({
    images: fc.array(imageShape, { minLength: 1, maxLength: 12 }),
    pulls: fc.array(pullShape, { minLength: 5, maxLength: 5 }),
    unreadable: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
  })
  .map(({ images, pulls, unreadable }) => {
    const versions: PackageVersion[] = [];
    const manifests = new Map<string, unknown>();
    const trueEdges = new Map<string, string[]>();
    let id = 1;
    let flip = 0;
    const add = (digest: string, manifest: unknown, tags: string[], ageDays: number) => {
      if (versions.some((v) => v.digest === digest)) {
        const existing = versions.find((v) => v.digest === digest);
        if (existing) existing.tags = [...new Set([...existing.tags, ...tags])];
        return;
      }
      versions.push({ id: id++, digest, createdAt: NOW - ageDays * DAY, updatedAt: NOW - ageDays * DAY, tags });
      // About one manifest in fourteen cannot be read.
      const hidden = (unreadable[flip++ % unreadable.length] ?? false) && flip % 7 === 0;
      if (!hidden) manifests.set(digest, manifest);
    };
    const edge = (from: string, to: string) => trueEdges.set(from, [...(trueEdges.get(from) ?? []), to]);
    const sharedPool = [0, 1, 2, 3].map((n) => digestOf(`shared/${n}`));
    const roots: string[] = [];
    images.forEach((shape, n) => {
      let root: string;
      if (shape.kind === "single") {
        root = digestOf(`image/${n}`);
        add(root, imageManifest(`image/${n}`), [], shape.ageDays);
      } else {
        const children: { digest: string; platform?: string; attestationFor?: string }[] = shape.platforms.map((p) => ({
          digest: digestOf(`image/${n}/${p}`),
          platform: PLATFORMS[p] ?? "linux/amd64",
        }));
        if (shape.sharedChild !== null)
          children.push({ digest: sharedPool[shape.sharedChild] ?? "", platform: "linux/s390x" });
        if (shape.attestation)
          children.push({ digest: digestOf(`image/${n}/att`), attestationFor: children[0]?.digest ?? "" });
        root = digestOf(`index/${n}/${children.map((c) => c.digest).join(",")}`);
        for (const child of children) {
          add(child.digest, imageManifest(child.digest), [], shape.ageDays);
          edge(root, child.digest);
        }
        add(root, indexManifest(children), [], shape.ageDays);
      }
      roots.push(root);
      if (shape.nestedIn && roots.length > 1) {
        const outer = digestOf(`outer/${n}`);
        const inner = roots[roots.length - 2] ?? root;
        add(outer, indexManifest([{ digest: inner }]), [], shape.ageDays);
        edge(outer, inner);
        roots.push(outer);
      }
      const top = roots[roots.length - 1] ?? root;
      const version = versions.find((v) => v.digest === top);
      if (version) version.tags = [...new Set([...version.tags, ...shape.tags.map((t) => TAGS[t] ?? "x")])];
      if (shape.signature) {
        const sig = digestOf(`sig/${top}`);
        add(sig, imageManifest(`sig/${top}`), [`sha256-${top.slice(7)}.sig`], shape.ageDays);
        edge(top, sig);
      }
      if (shape.referrer) {
        const ref = digestOf(`ref/${top}`);
        add(ref, imageManifest(`ref/${top}`, top), [], shape.ageDays);
        edge(top, ref);
      }
    });
    return {
      versions,
      manifests,
      trueEdges,
      pulls: pulls.map((p, i) => ({
        number: i + 1,
        state: p.open ? ("open" as const) : ("closed" as const),
        closedAt: p.open ? null : NOW - p.closedDaysAgo * DAY,
      })),
    };
  });

export function trueClosure(state: PackageState, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const digest = stack.pop() as string;
    if (seen.has(digest)) continue;
    seen.add(digest);
    stack.push(...(state.trueEdges.get(digest) ?? []));
  }
  return seen;
}
