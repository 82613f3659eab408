import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";

/** Manifests served by digest at a registry host through nock, for tests that need no real registry. */
export class FakeRegistry {
  readonly manifests = new Map<string, string>();
  /** `path:tag` → digest, for lookups by tag. */
  readonly tags = new Map<string, string>();
  reads = 0;

  /** Stores a manifest and returns its digest (the sha256 of its bytes, as a registry computes it). */
  put(manifest: object): string {
    const body = JSON.stringify(manifest);
    const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    this.manifests.set(digest, body);
    return digest;
  }

  tag(path: string, tag: string, digest: string): void {
    this.tags.set(`${path}:${tag}`, digest);
  }

  /**
   * Serves `/v2/<path>/manifests/<digest|tag>` over plain HTTP on loopback; returns the host and a stop
   * function. `latencyMs`: every answer that much later, as from a distant registry.
   */
  async serve(options: { latencyMs?: number } = {}): Promise<{ host: string; close: () => Promise<void> }> {
    const server = createServer((req, res) => {
      if (options.latencyMs) setTimeout(() => this.answer(req, res), options.latencyMs);
      else this.answer(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(req.url ?? "");
    if (!match) {
      res.writeHead(req.url === "/v2/" ? 200 : 404, { "content-type": "application/json" }).end("{}");
      return;
    }
    const [, path = "", reference = ""] = match;
    const digest = reference.startsWith("sha256:") ? reference : this.tags.get(`${path}:${reference}`);
    const body = digest ? this.manifests.get(digest) : undefined;
    this.reads += 1;
    if (!digest || !body) {
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }));
      return;
    }
    const mediaType =
      (JSON.parse(body) as { mediaType?: string }).mediaType ?? "application/vnd.oci.image.manifest.v1+json";
    res.writeHead(200, { "content-type": mediaType, "docker-content-digest": digest }).end(body);
  }

  intercept(host = "ghcr.io"): () => void {
    const scope = nock(`https://${host}`)
      .persist()
      .get(/\/v2\/.+\/manifests\/.+/)
      .reply((uri) => {
        this.reads += 1;
        const digest = decodeURIComponent(uri.slice(uri.lastIndexOf("/") + 1));
        const body = this.manifests.get(digest);
        if (!body)
          return [404, JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] })];
        const mediaType =
          (JSON.parse(body) as { mediaType?: string }).mediaType ?? "application/vnd.oci.image.manifest.v1+json";
        return [200, body, { "content-type": mediaType, "docker-content-digest": digest }];
      });
    return () => scope.persist(false);
  }
}
