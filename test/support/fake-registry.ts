import { createHash } from "node:crypto";
import nock from "nock";

/** Manifests served by digest at a registry host through nock, for tests that need no real registry. */
export class FakeRegistry {
  readonly manifests = new Map<string, string>();
  reads = 0;

  /** Stores a manifest and returns its digest (the sha256 of its bytes, as a registry computes it). */
  put(manifest: object): string {
    const body = JSON.stringify(manifest);
    const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    this.manifests.set(digest, body);
    return digest;
  }

  intercept(host = "ghcr.io"): () => void {
    const scope = nock(`https://${host}`)
      .persist()
      .get(/\/v2\/.+\/manifests\/.+/)
      .reply((uri) => {
        this.reads += 1;
        const digest = decodeURIComponent(uri.slice(uri.lastIndexOf("/") + 1));
        const body = this.manifests.get(digest);
        if (!body) return [404, JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] })];
        const mediaType = (JSON.parse(body) as { mediaType?: string }).mediaType ?? "application/vnd.oci.image.manifest.v1+json";
        return [200, body, { "content-type": mediaType, "docker-content-digest": digest }];
      });
    return () => scope.persist(false);
  }
}
