import { bareImage } from "./bare-manifests.js";
import type { FakeGitHub } from "./fake-github.js";
import { FakeRegistry } from "./fake-registry.js";

/** octo-org/app on a registry served over HTTP: one bare image, under each of `tags`. */
export async function serveTaggedImage(tags: string[]) {
  const registry = new FakeRegistry();
  const digest = registry.put(bareImage());
  for (const tag of tags) registry.tag("octo-org/app", tag, digest);
  return { registry, digest, served: await registry.serve() };
}

/**
 * octo-org/app's versions as GitHub lists them, all created at `at`, each a bare image `registry`
 * holds (its config digest from the version's seed): `[id, seed, tags]`.
 */
export function addBarePackage(
  fake: FakeGitHub,
  registry: FakeRegistry,
  at: number,
  versions: [number, string, string[]][],
): void {
  fake.addPackage({
    owner: "octo-org",
    name: "app",
    versions: versions.map(([id, seed, tags]) => ({
      id,
      digest: registry.put(bareImage(seed.padEnd(64, "0"))),
      createdAt: at,
      updatedAt: at,
      tags,
    })),
  });
}
