import { createHash } from "node:crypto";
import type { ImageRef } from "./image-ref.js";

/** What the registry says about one tag. */
export type ManifestLookup =
  | { status: "found"; digest: string; mediaType: string; platforms: string[]; attestations: number }
  | { status: "missing" }
  | { status: "not-allowed" }
  | { status: "unreachable"; reason: string };

/** One manifest by digest, as the registry serves it; checked against the digest. */
export type ManifestRead = { ok: true; manifest: unknown } | { ok: false; reason: string };

/** Manifests are content-addressed; this many stay cached (each read on ghcr.io counts as a download). */
const MANIFEST_CACHE_SIZE = 100_000;

export interface RegistryClientOptions {
  allowList: string[];
  credentials?: Record<string, { username: string; password: string }>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

interface Manifest {
  mediaType?: string;
  manifests?: { digest?: string; platform?: { os?: string; architecture?: string; variant?: string } }[];
}

/**
 * Reads manifests through the OCI distribution API (`/v2/`), doing the bearer-token dance anonymously
 * or with a configured credential. Only hosts on the allow-list are contacted, token realms included,
 * so a host named in a log line can never make Dockhand send a request there.
 */
export class RegistryClient {
  private readonly allowList: Set<string>;
  private readonly tokens = new Map<string, string>();
  private readonly manifests = new Map<string, unknown>();
  private readonly fetch: typeof fetch;
  /** Registry requests made, for tests and benchmarks. */
  requests = 0;

  constructor(private readonly options: RegistryClientOptions) {
    this.allowList = new Set(options.allowList.map((host) => host.toLowerCase()));
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  isAllowed(host: string): boolean {
    return this.allowList.has(host.toLowerCase());
  }

  async lookup(ref: ImageRef): Promise<ManifestLookup> {
    if (!this.isAllowed(ref.host)) return { status: "not-allowed" };
    const reference = ref.tag ?? ref.digest;
    if (!reference) return { status: "unreachable", reason: "no tag or digest to look up" };
    const url = `${baseUrl(ref.host)}/v2/${ref.path}/manifests/${reference}`;
    try {
      const response = await this.get(url, ref);
      if (response.status === 404) return { status: "missing" };
      if (!response.ok) return { status: "unreachable", reason: `registry answered HTTP ${response.status}` };
      const body = Buffer.from(await response.arrayBuffer());
      const digest = response.headers.get("docker-content-digest") ?? `sha256:${createHash("sha256").update(body).digest("hex")}`;
      const manifest = JSON.parse(body.toString("utf8")) as Manifest;
      const mediaType = manifest.mediaType ?? response.headers.get("content-type") ?? "unknown";
      const children = manifest.manifests ?? [];
      const platforms = children
        .map((child) => child.platform)
        .filter((p): p is NonNullable<typeof p> => Boolean(p?.os && p.architecture && p.os !== "unknown"))
        .map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join("/"));
      const attestations = children.filter((child) => child.platform?.os === "unknown").length;
      return { status: "found", digest, mediaType, platforms, attestations };
    } catch (error) {
      return { status: "unreachable", reason: describeNetworkError(error) };
    }
  }

  /** The manifest with this digest in `host/path`, from the cache when read before. */
  async readManifest(host: string, path: string, digest: string): Promise<ManifestRead> {
    const cached = this.manifests.get(digest);
    if (cached !== undefined) return { ok: true, manifest: cached };
    if (!this.isAllowed(host)) return { ok: false, reason: `${host} is not on the registry allow-list` };
    try {
      const response = await this.get(`${baseUrl(host)}/v2/${path}/manifests/${digest}`, { host, path });
      if (!response.ok) {
        await response.body?.cancel();
        return { ok: false, reason: `registry answered HTTP ${response.status}` };
      }
      const body = Buffer.from(await response.arrayBuffer());
      if (`sha256:${createHash("sha256").update(body).digest("hex")}` !== digest) return { ok: false, reason: "the content does not match its digest" };
      const manifest = JSON.parse(body.toString("utf8")) as unknown;
      if (this.manifests.size >= MANIFEST_CACHE_SIZE) this.manifests.delete(this.manifests.keys().next().value as string);
      this.manifests.set(digest, manifest);
      return { ok: true, manifest };
    } catch (error) {
      return { ok: false, reason: describeNetworkError(error) };
    }
  }

  private async get(url: string, ref: { host: string; path: string }): Promise<Response> {
    const scope = `repository:${ref.path}:pull`;
    const tokenKey = `${ref.host} ${scope}`;
    const headers: Record<string, string> = { accept: MANIFEST_TYPES };
    const cached = this.tokens.get(tokenKey);
    if (cached) headers.authorization = `Bearer ${cached}`;
    let response = await this.request(url, headers);
    if (response.status !== 401) return response;
    await response.body?.cancel();
    const challenge = parseChallenge(response.headers.get("www-authenticate") ?? "");
    if (!challenge) return response;
    const token = await this.fetchToken(ref.host, challenge, scope);
    if (!token) return response;
    this.tokens.set(tokenKey, token);
    response = await this.request(url, { ...headers, authorization: `Bearer ${token}` });
    return response;
  }

  private async fetchToken(host: string, challenge: Challenge, scope: string): Promise<string | undefined> {
    const realm = new URL(challenge.realm);
    if (!this.isAllowed(realm.host)) throw new Error(`token realm ${realm.host} is not on the registry allow-list`);
    if (challenge.service) realm.searchParams.set("service", challenge.service);
    realm.searchParams.set("scope", challenge.scope ?? scope);
    const credential = this.options.credentials?.[host.toLowerCase()];
    const headers: Record<string, string> = {};
    if (credential) headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString("base64")}`;
    const response = await this.request(realm.toString(), headers);
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    return body.token ?? body.access_token;
  }

  private request(url: string, headers: Record<string, string>): Promise<Response> {
    this.requests += 1;
    return this.fetch(url, { headers, redirect: "error", signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
  }
}

interface Challenge {
  realm: string;
  service?: string;
  scope?: string;
}

function parseChallenge(header: string): Challenge | undefined {
  if (!/^bearer\s/i.test(header)) return undefined;
  const params = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map(([, key = "", value = ""]) => [key.toLowerCase(), value]));
  return params.realm ? { realm: params.realm, service: params.service, scope: params.scope } : undefined;
}

/** Loopback registries (tests, local mirrors) speak plain HTTP; everything else HTTPS. */
function baseUrl(host: string): string {
  const name = host.replace(/:\d+$/, "");
  const loopback = name === "localhost" || /^127\./.test(name) || name === "[::1]";
  return `${loopback ? "http" : "https"}://${host}`;
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "timed out";
    const cause = error.cause instanceof Error ? (error.cause as Error & { code?: string }) : undefined;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}
