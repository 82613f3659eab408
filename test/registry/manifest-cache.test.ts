import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Redis } from "ioredis";
import nock from "nock";
import { pino } from "pino";
import { DirectoryManifestCache } from "../../src/registry/directory-manifest-cache.js";
import { LayeredManifestCache, MemoryManifestCache, verifiedManifest } from "../../src/registry/manifest-cache.js";
import { appManifestCache, RedisManifestCache } from "../../src/registry/redis-manifest-cache.js";
import { RegistryClient } from "../../src/registry/registry-client.js";
import { FakeRegistry } from "../support/fake-registry.js";
import { startLocalRedis } from "../support/local-redis.js";

const digestOf = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** `count` small image manifests in a fake registry, and their digests. */
function manifests(registry: FakeRegistry, count: number, salt = "m"): string[] {
  return Array.from({ length: count }, (_, i) =>
    registry.put({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { digest: `sha256:${`${salt}${String(i).padStart(8, "0")}`.padEnd(64, "0")}` },
      layers: [],
    }),
  );
}

/** Reads each digest through a new client (a new process) over `cache`; the registry reads it took. */
async function readAll(
  registry: FakeRegistry,
  cache: () => LayeredManifestCache | MemoryManifestCache,
  digests: string[],
) {
  const client = new RegistryClient({ allowList: ["ghcr.io"], cache: cache() });
  const before = registry.reads;
  for (const digest of digests) {
    const result = await client.readManifest("ghcr.io", "octo-org/app", digest);
    assert.ok(result.ok, digest);
  }
  return registry.reads - before;
}

describe("manifest caches", () => {
  let registry: FakeRegistry;
  let stop: () => void;
  let dir: string;
  beforeEach(() => {
    registry = new FakeRegistry();
    stop = registry.intercept();
    dir = mkdtempSync(join(tmpdir(), "dockhand-manifests-"));
  });
  afterEach(() => {
    stop();
    nock.cleanAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes a manifest only if its bytes are the digest's", () => {
    const bytes = Buffer.from('{"schemaVersion":2}');
    assert.deepEqual(verifiedManifest(bytes, digestOf(bytes)), { schemaVersion: 2 });
    assert.equal(verifiedManifest(Buffer.from('{"schemaVersion":3}'), digestOf(bytes)), undefined);
    const notJson = Buffer.from("not json");
    assert.equal(verifiedManifest(notJson, digestOf(notJson)), undefined);
  });

  it("keeps the least recently used out of memory first, within entries and bytes", async () => {
    const memory = new MemoryManifestCache(2, 1000);
    const [a, b, c] = ["a", "b", "c"].map((x) => Buffer.from(x.repeat(300)));
    await memory.set("a", a!);
    await memory.set("b", b!);
    assert.ok(await memory.get("a"));
    await memory.set("c", c!);
    assert.equal(await memory.get("b"), undefined, "b was used least recently");
    assert.ok(await memory.get("a"));
    await memory.set("d", Buffer.alloc(900));
    assert.equal(await memory.get("a"), undefined, "bytes bound");
    assert.equal(await memory.get("c"), undefined);
    await memory.set("e", Buffer.alloc(1001));
    assert.equal(await memory.get("e"), undefined, "larger than the whole cache: not kept");
  });

  it("reads nothing again through a directory kept between runs", async () => {
    const digests = manifests(registry, 20);
    const cache = () =>
      new LayeredManifestCache(new MemoryManifestCache(), new DirectoryManifestCache(dir), assert.fail);
    assert.equal(await readAll(registry, cache, digests), 20);
    assert.equal(await readAll(registry, cache, digests), 0);
    assert.equal(readdirSync(join(dir, "sha256")).length, 20);
  });

  it("ignores a corrupt or planted file, reads the manifest again and repairs the file", async () => {
    const [first, second, third] = manifests(registry, 3);
    const cache = () =>
      new LayeredManifestCache(new MemoryManifestCache(), new DirectoryManifestCache(dir), assert.fail);
    await readAll(registry, cache, [first!, second!, third!]);
    const fileOf = (digest: string) => join(dir, "sha256", digest.slice("sha256:".length));
    writeFileSync(fileOf(first!), '{"schemaVersion":2,"manifests":[{"digest":"sha256:evil"}]}');
    // Another manifest's bytes under this digest's name: well-formed, but not this digest's.
    writeFileSync(fileOf(second!), readFileSync(fileOf(third!)));
    const client = new RegistryClient({ allowList: ["ghcr.io"], cache: cache() });
    const before = registry.reads;
    const read = await client.readManifest("ghcr.io", "octo-org/app", first!);
    assert.deepEqual(read, { ok: true, manifest: JSON.parse(registry.manifests.get(first!)!) });
    const planted = await client.readManifest("ghcr.io", "octo-org/app", second!);
    assert.deepEqual(planted, { ok: true, manifest: JSON.parse(registry.manifests.get(second!)!) });
    assert.equal(registry.reads - before, 2, "both read from the registry again");
    assert.equal(digestOf(readFileSync(fileOf(first!))), first);
    assert.equal(digestOf(readFileSync(fileOf(second!))), second);
    assert.equal(await readAll(registry, cache, [first!, second!, third!]), 0);
  });

  it("takes a file larger than any manifest as a miss, without reading it", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const cache = new DirectoryManifestCache(dir);
    await cache.set(digest, Buffer.from("{}"));
    writeFileSync(join(dir, "sha256", "a".repeat(64)), Buffer.alloc(4 * 1024 * 1024 + 1, 32));
    assert.equal(await cache.get(digest), undefined);
  });

  it("bounds a directory by bytes, the least recently used first", async () => {
    const digests = manifests(registry, 10);
    const size = registry.manifests.get(digests[0]!)!.length;
    const cache = new DirectoryManifestCache(dir, size * 4 + 10);
    for (const digest of digests) await cache.set(digest, Buffer.from(registry.manifests.get(digest)!));
    assert.equal(readdirSync(join(dir, "sha256")).length, 4);
    const kept = digests.slice(6);
    for (const digest of kept) assert.ok(await cache.get(digest), digest);
    // A new process over the same directory counts what is there, and keeps the recently read.
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const digest of kept) utimesSync(join(dir, "sha256", digest.slice(7)), hourAgo, hourAgo);
    const again = new DirectoryManifestCache(dir, size * 4 + 10);
    await again.get(digests[6]!);
    await again.set(digests[0]!, Buffer.from(registry.manifests.get(digests[0]!)!));
    assert.equal(readdirSync(join(dir, "sha256")).length, 4);
    assert.ok(await again.get(digests[6]!), "just read: kept");
  });

  it("reads the registry when the directory cannot be used, and says so once", async () => {
    const digests = manifests(registry, 5);
    writeFileSync(join(dir, "sha256"), "a file where the folder should be");
    const errors: string[] = [];
    const cache = () =>
      new LayeredManifestCache(new MemoryManifestCache(), new DirectoryManifestCache(dir), (_error, operation) =>
        errors.push(operation),
      );
    assert.equal(await readAll(registry, cache, digests), 5);
    assert.equal(errors.length, 1, "said once, then the directory is left alone");
  });
});

describe("the manifest cache in Redis", () => {
  let server: Awaited<ReturnType<typeof startLocalRedis>>;
  let redis: Redis;
  let registry: FakeRegistry;
  let stop: () => void;
  beforeEach(async () => {
    server = await startLocalRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: null, lazyConnect: false });
    redis.on("error", () => undefined);
    registry = new FakeRegistry();
    stop = registry.intercept();
  });
  afterEach(async () => {
    stop();
    nock.cleanAll();
    redis.disconnect();
    await server.stop();
  });

  it("is shared by replicas and restarts: the second reads nothing", async () => {
    const digests = manifests(registry, 30);
    const cache = () => appManifestCache(redis, 1024 * 1024, pino({ level: "silent" })) as LayeredManifestCache;
    assert.equal(await readAll(registry, cache, digests), 30);
    assert.equal(await readAll(registry, cache, digests), 0);
  });

  it("ignores a corrupt value, reads the manifest again and stores it right", async () => {
    const [digest] = manifests(registry, 1);
    const cache = () => appManifestCache(redis, 1024 * 1024, pino({ level: "silent" })) as LayeredManifestCache;
    await readAll(registry, cache, [digest!]);
    await redis.set(`{dockhand-manifests}:m:${digest}`, '{"schemaVersion":2,"manifests":[]}');
    assert.equal(await readAll(registry, cache, [digest!]), 1);
    assert.equal(digestOf((await redis.getBuffer(`{dockhand-manifests}:m:${digest}`))!), digest);
    assert.equal(await readAll(registry, cache, [digest!]), 0);
  });

  it("holds at most its bound in bytes, dropping the least recently used", async () => {
    const digests = manifests(registry, 20);
    const size = registry.manifests.get(digests[0]!)!.length;
    const store = new RedisManifestCache(redis, size * 5);
    for (const digest of digests.slice(0, 5)) await store.set(digest, Buffer.from(registry.manifests.get(digest)!));
    assert.ok(await store.get(digests[0]!), "touched: now the most recently used");
    for (const digest of digests.slice(5)) await store.set(digest, Buffer.from(registry.manifests.get(digest)!));
    const keys = await redis.keys("{dockhand-manifests}:m:*");
    assert.equal(keys.length, 5);
    assert.ok(Number(await redis.get("{dockhand-manifests}:bytes")) <= size * 5);
    assert.equal(await redis.zcard("{dockhand-manifests}:used"), 5);
    assert.equal(await store.get(digests[1]!), undefined, "least recently used: dropped");
  });

  it("reads the registry when Redis is down, within a deadline, and logs it", async () => {
    const digests = manifests(registry, 3);
    const warnings: unknown[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    const cache = () => appManifestCache(redis, 1024 * 1024, log) as LayeredManifestCache;
    await server.stop();
    const started = Date.now();
    assert.equal(await readAll(registry, cache, digests), 3);
    assert.ok(Date.now() - started < 20_000);
    assert.ok(warnings.length >= 1);
    server = await startLocalRedis();
  });
});
