import { createHash } from "node:crypto";
import { BodyTooLargeError, formatLimit, readBodyUpTo } from "../util/read-body.js";
import type { ImageRef } from "./image-ref.js";
import { MemoryManifestCache, verifiedManifest, type ManifestCache } from "./manifest-cache.js";

/** What the registry says about one tag. */
export type ManifestLookup =
  | { status: "found"; digest: string; mediaType: string; platforms: string[]; attestations: number }
  | { status: "missing" }
  | { status: "not-allowed" }
  | { status: "unreachable"; reason: string };

/** One manifest by digest, as the registry serves it; checked against the digest. */
export type ManifestRead = { ok: true; manifest: unknown } | { ok: false; reason: string };

/**
 * The largest manifest read. The OCI distribution spec has clients and registries support manifests
 * of at least 4 MiB, and distribution (the reference registry) refuses larger pushes
 * (`maxManifestBodySize = 4 << 20` in registry/handlers/manifests.go), as containers/image refuses
 * larger reads (`iolimits.MaxManifestBodySize`): a registry serves nothing larger in good faith.
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Pull tokens kept, one per registry and repository. */
const TOKEN_CACHE_SIZE = 1000;
/** A token answer is a few hundred bytes to a few KiB of JSON. */
export const MAX_TOKEN_BYTES = 64 * 1024;

export interface RegistryClientOptions {
  allowList: string[];
  credentials?: Record<string, { username: string; password: string }>;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Where manifests read by digest are kept (default: the process's memory); every entry is verified before use. */
  cache?: ManifestCache;
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
 * so a host named in a log line can never make Dockhand send a request there. A host's credentials go
 * to that host only: a token realm elsewhere (even allow-listed) is asked anonymously. Every answer is
 * read within a limit (manifests 4 MiB, tokens 64 KiB) and refused past it without buffering more.
 */
export class RegistryClient {
  private readonly allowList: Set<string>;
  private readonly tokens = new Map<string, string>();
  private readonly cache: ManifestCache;
  private readonly fetch: typeof fetch;
  /** Registry requests made, for tests and benchmarks. */
  requests = 0;

  constructor(private readonly options: RegistryClientOptions) {
    this.allowList = new Set(options.allowList.map((host) => host.toLowerCase()));
    this.fetch = options.fetch ?? globalThis.fetch;
    this.cache = options.cache ?? new MemoryManifestCache();
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
      if (!response.ok) {
        await response.body?.cancel();
        return response.status === 404
          ? { status: "missing" }
          : { status: "unreachable", reason: `registry answered HTTP ${response.status}` };
      }
      const body = await readLimited(response, MAX_MANIFEST_BYTES, "manifest");
      const digest = sha256(body);
      // The registry's digest names the bytes it sent; anything else is not what it stored under the tag.
      const announced = response.headers.get("docker-content-digest");
      if (announced?.startsWith("sha256:") && announced !== digest)
        return { status: "unreachable", reason: "the content does not match its digest" };
      const manifest = JSON.parse(body.toString("utf8")) as Manifest;
      const mediaType = manifest.mediaType ?? response.headers.get("content-type") ?? "unknown";
      const children = Array.isArray(manifest.manifests)
        ? manifest.manifests.filter((child) => typeof child === "object" && child !== null)
        : [];
      const platforms = children
        .map((child) => child.platform)
        .filter((p): p is NonNullable<typeof p> => Boolean(p?.os && p.architecture && p.os !== "unknown"))
        .map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join("/"));
      const attestations = children.filter((child) => child.platform?.os === "unknown").length;
      return { status: "found", digest, mediaType, platforms, attestations };
    } catch (error) {
      return { status: "unreachable", reason: describeError(error) };
    }
  }

  /**
   * The manifest with this digest in `host/path`, from the cache when read before. A cached entry is
   * used only if its bytes hash to the digest (and parse); any other is deleted and read again.
   */
  async readManifest(host: string, path: string, digest: string): Promise<ManifestRead> {
    const cached = await this.cache.get(digest);
    if (cached) {
      const manifest = verifiedManifest(cached, digest);
      if (manifest !== undefined) return { ok: true, manifest };
      await this.cache.delete(digest);
    }
    if (!this.isAllowed(host)) return { ok: false, reason: `${host} is not on the registry allow-list` };
    try {
      const response = await this.get(`${baseUrl(host)}/v2/${path}/manifests/${digest}`, { host, path });
      if (!response.ok) {
        await response.body?.cancel();
        return { ok: false, reason: `registry answered HTTP ${response.status}` };
      }
      const body = await readLimited(response, MAX_MANIFEST_BYTES, "manifest");
      if (sha256(body) !== digest) return { ok: false, reason: "the content does not match its digest" };
      const manifest = JSON.parse(body.toString("utf8")) as unknown;
      await this.cache.set(digest, body);
      return { ok: true, manifest };
    } catch (error) {
      return { ok: false, reason: describeError(error) };
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
    if (this.tokens.size >= TOKEN_CACHE_SIZE) this.tokens.delete(this.tokens.keys().next().value as string);
    this.tokens.set(tokenKey, token);
    response = await this.request(url, { ...headers, authorization: `Bearer ${token}` });
    return response;
  }

  /**
   * The token the registry's challenge points to. The realm is the registry's to name, so it is held
   * to what the registry itself may be sent: an allow-listed host (else no request at all), over HTTPS
   * unless the registry itself speaks plain HTTP (loopback), and the registry's credentials only if the
   * realm is the registry's own origin. A realm elsewhere gets an anonymous request: Docker Hub's
   * auth.docker.io then serves public images only, and no registry can have another host's password.
   */
  private async fetchToken(host: string, challenge: Challenge, scope: string): Promise<string | undefined> {
    const realm = new URL(challenge.realm);
    if (!this.isAllowed(realm.host)) throw new Error(`token realm ${realm.host} is not on the registry allow-list`);
    const registry = new URL(baseUrl(host));
    if (realm.protocol !== "https:" && !(realm.protocol === "http:" && registry.protocol === "http:")) {
      throw new Error(`token realm ${realm.host} is not HTTPS`);
    }
    if (challenge.service) realm.searchParams.set("service", challenge.service);
    realm.searchParams.set("scope", challenge.scope ?? scope);
    const credential = realm.origin === registry.origin ? this.options.credentials?.[host.toLowerCase()] : undefined;
    const headers: Record<string, string> = {};
    if (credential)
      headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString("base64")}`;
    const response = await this.request(realm.toString(), headers);
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const body = JSON.parse((await readLimited(response, MAX_TOKEN_BYTES, "token answer")).toString("utf8")) as {
      token?: unknown;
      access_token?: unknown;
    };
    const token = body.token ?? body.access_token;
    return typeof token === "string" && token !== "" ? token : undefined;
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
  const params = Object.fromEntries(
    [...header.matchAll(/(\w+)="([^"]*)"/g)].map(([, key = "", value = ""]) => [key.toLowerCase(), value]),
  );
  return params.realm ? { realm: params.realm, service: params.service, scope: params.scope } : undefined;
}

/** Loopback registries (tests, local mirrors) speak plain HTTP; everything else HTTPS. */
function baseUrl(host: string): string {
  const name = host.replace(/:\d+$/, "");
  const loopback = name === "localhost" || /^127\./.test(name) || name === "[::1]";
  return `${loopback ? "http" : "https"}://${host}`;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** A body within `limit` bytes; past it, an error that says what was refused ("manifest larger than 4 MiB"). */
async function readLimited(response: Response, limit: number, what: string): Promise<Buffer> {
  try {
    return await readBodyUpTo(response, limit);
  } catch (error) {
    throw error instanceof BodyTooLargeError ? new Error(`${what} larger than ${formatLimit(limit)}`) : error;
  }
}

function describeError(error: unknown): string {
  if (error instanceof SyntaxError) return "the registry answered with invalid JSON";
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "timed out";
    const cause = error.cause instanceof Error ? (error.cause as Error & { code?: string }) : undefined;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}
