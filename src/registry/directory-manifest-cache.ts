import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ManifestCache } from "./manifest-cache.js";
import { MAX_MANIFEST_BYTES } from "./registry-client.js";

/** What a cache directory holds at most by default: some 100,000 typical manifests. */
export const DIRECTORY_CACHE_BYTES = 256 * 1024 * 1024;

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/**
 * Manifests in a directory, one file per digest (`sha256/<hex>`), for the CLI: a workflow keeps the
 * directory between runs (actions/cache), so a second run over an unchanged package downloads none.
 * Files are written whole (a temporary name, then renamed) and touched when read; past `maxBytes` the
 * least recently used go first. A file's content is never trusted (the registry client checks it
 * against its digest), so a damaged or planted file costs one download, nothing more.
 */
export class DirectoryManifestCache implements ManifestCache {
  /** Each file's bytes, least recently used first (Map order: a use re-inserts). */
  private index: Promise<Map<string, number>> | undefined;
  private total = 0;

  constructor(
    private readonly dir: string,
    private readonly maxBytes = DIRECTORY_CACHE_BYTES,
  ) {}

  async get(digest: string): Promise<Buffer | undefined> {
    const file = this.fileOf(digest);
    if (!file) return undefined;
    let bytes: Buffer;
    try {
      const handle = await open(file, "r");
      try {
        // A file no registry answer could have written (planted in a restored cache) is a miss, never read whole.
        if ((await handle.stat()).size > MAX_MANIFEST_BYTES) return undefined;
        bytes = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    }
    const now = new Date();
    // Touched so that trimming keeps what runs use; a read-only directory still serves.
    await utimes(file, now, now).catch(() => undefined);
    // Reading creates nothing: the index is loaded by the first write (from the times just touched).
    const entries = this.index ? await this.index : undefined;
    const size = entries?.get(digest);
    if (entries && size !== undefined) {
      entries.delete(digest);
      entries.set(digest, size);
    }
    return bytes;
  }

  async set(digest: string, bytes: Buffer): Promise<void> {
    const file = this.fileOf(digest);
    if (!file || bytes.length > this.maxBytes) return;
    const entries = await this.entries();
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, file);
    this.forget(entries, digest);
    entries.set(digest, bytes.length);
    this.total += bytes.length;
    // The oldest are first in the index: no sort per write, however full the directory.
    for (const [old] of entries) {
      if (this.total <= this.maxBytes) break;
      this.forget(entries, old);
      const path = this.fileOf(old);
      if (path) await rm(path, { force: true });
    }
  }

  async delete(digest: string): Promise<void> {
    const file = this.fileOf(digest);
    if (!file) return;
    await rm(file, { force: true });
    this.forget(await this.entries(), digest);
  }

  private fileOf(digest: string): string | undefined {
    const hex = DIGEST.exec(digest)?.[1];
    return hex ? join(this.dir, "sha256", hex) : undefined;
  }

  private forget(entries: Map<string, number>, digest: string): void {
    const size = entries.get(digest);
    if (size === undefined) return;
    entries.delete(digest);
    this.total -= size;
  }

  /** What the directory holds (read once: other processes do not share a run's directory). */
  private entries(): Promise<Map<string, number>> {
    this.index ??= (async () => {
      const folder = join(this.dir, "sha256");
      await mkdir(folder, { recursive: true });
      const found: { digest: string; bytes: number; used: number }[] = [];
      for (const name of await readdir(folder)) {
        if (!/^[0-9a-f]{64}$/.test(name)) continue;
        const info = await stat(join(folder, name)).catch(() => undefined);
        if (!info?.isFile()) continue;
        found.push({ digest: `sha256:${name}`, bytes: info.size, used: info.mtimeMs });
        this.total += info.size;
      }
      // Sorted once, by the times earlier runs touched: the index's order is the use order from then on.
      found.sort((a, b) => a.used - b.used);
      return new Map(found.map(({ digest, bytes }) => [digest, bytes]));
    })();
    return this.index;
  }
}
