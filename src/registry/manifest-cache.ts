import { createHash } from "node:crypto";

/**
 * Manifests by digest. They are content-addressed and immutable, so what was read once need not be
 * downloaded again (each manifest GET counts as a download on ghcr.io). A cache holds the bytes as the
 * registry served them and is never trusted: the registry client checks them against the digest
 * before use, and deletes an entry that does not match.
 */
export interface ManifestCache {
  /** The bytes stored under `digest`, unverified; undefined if none (or the store failed). */
  get(digest: string): Promise<Buffer | undefined>;
  set(digest: string, bytes: Buffer): Promise<void>;
  delete(digest: string): Promise<void>;
}

/** The manifest these bytes hold, if they are the digest's (their sha256) and JSON; else undefined. */
export function verifiedManifest(bytes: Buffer, digest: string): unknown {
  if (`sha256:${createHash("sha256").update(bytes).digest("hex")}` !== digest) return undefined;
  try {
    return JSON.parse(bytes.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** Manifests kept in the process: at most this many... */
const MEMORY_ENTRIES = 100_000;
/** ...and this many bytes, so that large manifests cannot make the cache a memory sink. */
const MEMORY_BYTES = 64 * 1024 * 1024;

/** The in-process level: least recently used first out, bounded by entries and bytes. */
export class MemoryManifestCache implements ManifestCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = MEMORY_ENTRIES,
    private readonly maxBytes = MEMORY_BYTES,
  ) {}

  get(digest: string): Promise<Buffer | undefined> {
    const bytes = this.entries.get(digest);
    if (bytes) {
      // Map order is insertion order: re-inserting makes it the most recently used.
      this.entries.delete(digest);
      this.entries.set(digest, bytes);
    }
    return Promise.resolve(bytes);
  }

  set(digest: string, bytes: Buffer): Promise<void> {
    this.remove(digest);
    while (this.entries.size > 0 && (this.entries.size >= this.maxEntries || this.bytes + bytes.length > this.maxBytes))
      this.remove(this.entries.keys().next().value as string);
    if (bytes.length <= this.maxBytes) {
      this.entries.set(digest, bytes);
      this.bytes += bytes.length;
    }
    return Promise.resolve();
  }

  delete(digest: string): Promise<void> {
    this.remove(digest);
    return Promise.resolve();
  }

  private remove(digest: string): void {
    const bytes = this.entries.get(digest);
    if (!bytes) return;
    this.entries.delete(digest);
    this.bytes -= bytes.length;
  }
}

/** A level beyond the process is asked for at most this long: a slow store is a miss, never a stall. */
const STORE_DEADLINE_MS = 2000;
/** After a failure the store is not asked for this long: every manifest is read from the registry. */
const SKIP_AFTER_FAILURE_MS = 60_000;

/**
 * The process's memory first, then a store that outlives it (a directory for the CLI, Redis for the
 * app's replicas). A failure of the store is a miss, told to `onError`, and the store is left alone for a minute: the
 * registry is asked instead.
 */
export class LayeredManifestCache implements ManifestCache {
  private skipUntil = 0;

  constructor(
    private readonly memory: ManifestCache,
    private readonly store: ManifestCache,
    private readonly onError: (error: unknown, operation: "get" | "set" | "delete") => void,
  ) {}

  async get(digest: string): Promise<Buffer | undefined> {
    const near = await this.memory.get(digest);
    if (near) return near;
    const far = await this.guard("get", () => this.store.get(digest));
    // Kept near; the caller deletes it from both levels if it does not match its digest.
    if (far) await this.memory.set(digest, far);
    return far;
  }

  async set(digest: string, bytes: Buffer): Promise<void> {
    await this.memory.set(digest, bytes);
    await this.guard("set", () => this.store.set(digest, bytes));
  }

  async delete(digest: string): Promise<void> {
    await this.memory.delete(digest);
    await this.guard("delete", () => this.store.delete(digest));
  }

  private async guard<T>(operation: "get" | "set" | "delete", work: () => Promise<T>): Promise<T | undefined> {
    if (Date.now() < this.skipUntil) return undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the manifest cache did not answer within ${STORE_DEADLINE_MS} ms`)),
            STORE_DEADLINE_MS,
          );
          timer.unref();
        }),
      ]);
    } catch (error) {
      // A store that failed is left alone for a while: one wait and one report, not one per manifest.
      this.skipUntil = Date.now() + SKIP_AFTER_FAILURE_MS;
      this.onError(error, operation);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
