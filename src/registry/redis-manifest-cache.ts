import type { Redis } from "ioredis";
import type { Logger } from "probot";
import { LayeredManifestCache, MemoryManifestCache, type ManifestCache } from "./manifest-cache.js";

/**
 * Keys, in one hash slot: each manifest's bytes under `<prefix>m:<digest>`, a sorted set of digests by
 * last use, and the bytes held. The scripts derive entry keys from the set's members, which a single
 * Redis (Dockhand's REDIS_URL, BullMQ's) allows.
 */
const PREFIX = "{dockhand-manifests}:";
const INDEX = `${PREFIX}used`;
const TOTAL = `${PREFIX}bytes`;

/** Stores an entry, then drops the least recently used until the bytes held are within the bound. */
const SET = `
local key = ARGV[4] .. ARGV[1]
local old = redis.call('STRLEN', key)
redis.call('SET', key, ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
local total = redis.call('INCRBY', KEYS[2], string.len(ARGV[2]) - old)
local max = tonumber(ARGV[5])
while total > max do
  local oldest = redis.call('ZPOPMIN', KEYS[1])
  if #oldest == 0 then
    redis.call('SET', KEYS[2], 0)
    break
  end
  local victim = ARGV[4] .. oldest[1]
  total = redis.call('DECRBY', KEYS[2], redis.call('STRLEN', victim))
  redis.call('DEL', victim)
end
return total
`;

const DELETE = `
local key = ARGV[2] .. ARGV[1]
redis.call('DECRBY', KEYS[2], redis.call('STRLEN', key))
redis.call('DEL', key)
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`;

/**
 * Manifests in Redis, shared by every replica and kept across restarts. Bounded by bytes: an entry
 * past `maxBytes` in all pushes out the least recently used (BullMQ wants Redis without eviction, so
 * the cache must bound itself). Entries are never trusted: the registry client verifies each.
 */
export class RedisManifestCache implements ManifestCache {
  constructor(
    private readonly redis: Redis,
    private readonly maxBytes: number,
  ) {}

  async get(digest: string): Promise<Buffer | undefined> {
    const results = await this.redis
      .pipeline()
      .getBuffer(`${PREFIX}m:${digest}`)
      .zadd(INDEX, "XX", Date.now(), digest)
      .exec();
    const [error, bytes] = results?.[0] ?? [];
    if (error) throw error;
    return bytes instanceof Buffer ? bytes : undefined;
  }

  async set(digest: string, bytes: Buffer): Promise<void> {
    if (bytes.length > this.maxBytes) return;
    await this.redis.eval(SET, 2, INDEX, TOTAL, digest, bytes, Date.now(), `${PREFIX}m:`, this.maxBytes);
  }

  async delete(digest: string): Promise<void> {
    await this.redis.eval(DELETE, 2, INDEX, TOTAL, digest, `${PREFIX}m:`);
  }
}

/**
 * The app's manifest cache: the process's memory, then Redis when the app has it (and a bound above
 * 0); a Redis failure is logged and counts as a miss, so the registry is read instead.
 */
export function appManifestCache(redis: Redis | undefined, maxBytes: number, log: Logger): ManifestCache {
  const memory = new MemoryManifestCache();
  if (!redis || maxBytes <= 0) return memory;
  return new LayeredManifestCache(memory, new RedisManifestCache(redis, maxBytes), (err, operation) =>
    log.warn({ err, operation }, "the manifest cache in Redis failed; reading the registry instead"),
  );
}
