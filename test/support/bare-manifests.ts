/**
 * Manifests as small as a registry keeps them, for tests of what reads and prunes them: an image with
 * no layers, told apart by its config's digest, and an index of such images.
 */
const IMAGE = "application/vnd.oci.image.manifest.v1+json";

/** An image manifest with no layers whose config digest is `sha256:` and `configHex` (no digest: an empty config). */
export function bareImage(configHex?: string): object {
  return {
    schemaVersion: 2,
    mediaType: IMAGE,
    config: configHex === undefined ? {} : { digest: `sha256:${configHex}` },
    layers: [],
  };
}

/** An image index of `[digest, architecture]` children, each for linux. */
export function platformIndex(children: [string, string][]): object {
  return {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: children.map(([digest, architecture]) => ({
      mediaType: IMAGE,
      digest,
      size: 1,
      platform: { os: "linux", architecture },
    })),
  };
}
