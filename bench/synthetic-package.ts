import type { PackageVersion } from "../src/prune/package-version.js";
import type { FakeGitHub } from "../test/support/fake-github.js";
import type { FakeRegistry } from "../test/support/fake-registry.js";
import { REPO, SHA1 } from "../test/support/scenario.js";

export const DAY = 24 * 3600 * 1000;
export const BENCH_NOW = Date.parse("2026-11-21T12:00:00Z");

/**
 * A package shaped like what buildx pushes, `target` versions long: each image a tagged index with two
 * platform manifests and an attestation manifest (untagged), stored in `registry`. Tags: every tenth
 * image a release (`v1.N`), a third of the rest `feature-N`, the others `pr-N` and `pr-N-<n>` over
 * `pulls` PRs; ages spread over 60 days.
 */
export function syntheticPackage(target: number, registry: FakeRegistry, pulls = 2000): PackageVersion[] {
  const versions: PackageVersion[] = [];
  let id = 1;
  for (let image = 0; versions.length < target; image += 1) {
    const leaf = (kind: string) =>
      registry.put({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { digest: `sha256:${String(image).padStart(56, "0")}${kind.padEnd(8, "0")}` },
        layers: [],
      });
    const amd = leaf("amd");
    const arm = leaf("arm");
    const att = leaf("att");
    const index = registry.put({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: amd,
          size: 1,
          platform: { os: "linux", architecture: "amd64" },
        },
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: arm,
          size: 1,
          platform: { os: "linux", architecture: "arm64" },
        },
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: att,
          size: 1,
          platform: { os: "unknown", architecture: "unknown" },
          annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": amd },
        },
      ],
    });
    const at = BENCH_NOW - (image % 60) * DAY;
    const tags =
      image % 10 === 0
        ? [`v1.${image}`]
        : image % 3 === 0
          ? [`feature-${image}`]
          : [`pr-${(image % pulls) + 1}`, `pr-${(image % pulls) + 1}-${String(image).padStart(7, "0")}`];
    versions.push({ id: id++, digest: index, createdAt: at, updatedAt: at, tags });
    for (const child of [amd, arm, att])
      versions.push({ id: id++, digest: child, createdAt: at, updatedAt: at, tags: [] });
  }
  return versions;
}

/** The PRs the synthetic tags carry: a quarter open, the rest closed three days before `BENCH_NOW`. */
export function syntheticPulls(pulls = 2000): { number: number; state: "open" | "closed"; closedAt: number | null }[] {
  return Array.from({ length: pulls }, (_, i) => ({
    number: i + 1,
    state: i % 4 === 0 ? ("open" as const) : ("closed" as const),
    closedAt: i % 4 === 0 ? null : BENCH_NOW - 3 * DAY,
  }));
}

/** Adds the repository and the `syntheticPulls(pulls)` PRs to `fake`. */
export function seedSyntheticPulls(fake: FakeGitHub, pulls = 2000): void {
  fake.addRepo(REPO);
  for (const p of syntheticPulls(pulls))
    fake.addPull("octo-org/app", {
      number: p.number,
      headRef: `b${p.number}`,
      headSha: SHA1,
      headRepo: REPO,
      state: p.state,
      ...(p.closedAt ? { closedAt: new Date(p.closedAt).toISOString() } : {}),
    });
}
