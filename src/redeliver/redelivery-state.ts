import type { Redis } from "ioredis";
import type { GuidRecord } from "./plan-redeliveries.js";

/** What is kept about a guid outlives GitHub's 3 days of deliveries, and no more. */
const KEEP_MS = 4 * 24 * 3600 * 1000;

/**
 * What the recovery loop remembers between runs: where the next run starts listing, and per guid what
 * Dockhand asked of GitHub. Each mark is taken once (the first caller gets true), so two runs at once
 * (two replicas starting together) never both ask for the same redelivery, nor count one twice.
 */
export interface RedeliveryState {
  checkpoint(): Promise<number | undefined>;
  saveCheckpoint(at: number): Promise<void>;
  records(guids: readonly string[]): Promise<Map<string, GuidRecord>>;
  /** The guid seen failed for the first time (true once). */
  markFound(guid: string): Promise<boolean>;
  /** Takes the guid's `request`-th redelivery, seen up to `lastSeenId`; false when someone already took it. */
  claim(guid: string, request: number, lastSeenId: number): Promise<boolean>;
  /** Gives a claim back, the record as it was `before`: GitHub did not take the request (5xx, a rate limit, lost). */
  release(guid: string, request: number, before: GuidRecord): Promise<void>;
  /** Notes the attempts seen up to `lastSeenId` without asking again (Dockhand has given up on it). */
  giveUp(guid: string, lastSeenId: number): Promise<boolean>;
  /** The guid delivered after Dockhand asked (true once). */
  markRecovered(guid: string): Promise<boolean>;
}

interface MemoryRecord extends GuidRecord {
  marks: Set<string>;
  at: number;
}

/** The single-process state: lost on restart, when the first run looks back `DOCKHAND_REDELIVER_LOOKBACK_MS`. */
export class MemoryRedeliveryState implements RedeliveryState {
  private saved: number | undefined;
  private readonly guids = new Map<string, MemoryRecord>();

  constructor(private readonly now: () => number) {}

  checkpoint(): Promise<number | undefined> {
    return Promise.resolve(this.saved);
  }

  saveCheckpoint(at: number): Promise<void> {
    this.saved = at;
    const oldest = this.now() - KEEP_MS;
    for (const [guid, record] of this.guids) if (record.at < oldest) this.guids.delete(guid);
    return Promise.resolve();
  }

  records(guids: readonly string[]): Promise<Map<string, GuidRecord>> {
    const found = new Map<string, GuidRecord>();
    for (const guid of guids) {
      const record = this.guids.get(guid);
      if (record) found.set(guid, { requests: record.requests, lastSeenId: record.lastSeenId });
    }
    return Promise.resolve(found);
  }

  markFound(guid: string): Promise<boolean> {
    return Promise.resolve(this.mark(guid, "found"));
  }

  claim(guid: string, request: number, lastSeenId: number): Promise<boolean> {
    if (!this.mark(guid, `claim:${request}`)) return Promise.resolve(false);
    Object.assign(this.record(guid), { requests: request, lastSeenId });
    return Promise.resolve(true);
  }

  release(guid: string, request: number, before: GuidRecord): Promise<void> {
    const record = this.record(guid);
    record.marks.delete(`claim:${request}`);
    Object.assign(record, { requests: before.requests, lastSeenId: before.lastSeenId });
    return Promise.resolve();
  }

  giveUp(guid: string, lastSeenId: number): Promise<boolean> {
    const record = this.record(guid);
    if (record.lastSeenId >= lastSeenId) return Promise.resolve(false);
    record.lastSeenId = lastSeenId;
    return Promise.resolve(true);
  }

  markRecovered(guid: string): Promise<boolean> {
    return Promise.resolve(this.mark(guid, "recovered"));
  }

  private record(guid: string): MemoryRecord {
    let record = this.guids.get(guid);
    if (!record) {
      record = { requests: 0, lastSeenId: 0, marks: new Set(), at: this.now() };
      this.guids.set(guid, record);
    }
    return record;
  }

  private mark(guid: string, name: string): boolean {
    const record = this.record(guid);
    if (record.marks.has(name)) return false;
    record.marks.add(name);
    return true;
  }
}

/**
 * The Redis mode: one hash per guid (its marks, requests, last seen id), shared by every replica and
 * expiring after 4 days, and the checkpoint, which survives restarts.
 */
export class RedisRedeliveryState implements RedeliveryState {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = "dockhand:redeliver",
  ) {}

  async checkpoint(): Promise<number | undefined> {
    const saved = await this.redis.get(`${this.prefix}:checkpoint`);
    return saved === null || !Number.isFinite(Number(saved)) ? undefined : Number(saved);
  }

  async saveCheckpoint(at: number): Promise<void> {
    await this.redis.set(`${this.prefix}:checkpoint`, String(at), "PX", KEEP_MS);
  }

  async records(guids: readonly string[]): Promise<Map<string, GuidRecord>> {
    const found = new Map<string, GuidRecord>();
    if (guids.length === 0) return found;
    const pipeline = this.redis.pipeline();
    for (const guid of guids) pipeline.hmget(this.key(guid), "requests", "lastSeenId");
    const answers = (await pipeline.exec()) ?? [];
    guids.forEach((guid, index) => {
      const [error, value] = answers[index] ?? [];
      if (error) throw error;
      const [requests = null, lastSeenId = null] = (value ?? []) as (string | null)[];
      if (requests === null && lastSeenId === null) return;
      found.set(guid, { requests: Number(requests ?? 0), lastSeenId: Number(lastSeenId ?? 0) });
    });
    return found;
  }

  markFound(guid: string): Promise<boolean> {
    return this.mark(guid, "found");
  }

  async claim(guid: string, request: number, lastSeenId: number): Promise<boolean> {
    if (!(await this.mark(guid, `claim:${request}`))) return false;
    await this.redis.hset(this.key(guid), { requests: request, lastSeenId });
    return true;
  }

  async release(guid: string, request: number, before: GuidRecord): Promise<void> {
    await this.redis
      .multi()
      .hdel(this.key(guid), `claim:${request}`)
      .hset(this.key(guid), { requests: before.requests, lastSeenId: before.lastSeenId })
      .exec();
  }

  async giveUp(guid: string, lastSeenId: number): Promise<boolean> {
    // Set only when it moves forward: the first replica to see the new attempt says so.
    const moved = (await this.redis.eval(
      "local seen = tonumber(redis.call('HGET', KEYS[1], 'lastSeenId') or '0') if seen >= tonumber(ARGV[1]) then return 0 end redis.call('HSET', KEYS[1], 'lastSeenId', ARGV[1]) redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1",
      1,
      this.key(guid),
      String(lastSeenId),
      String(KEEP_MS),
    )) as number;
    return moved === 1;
  }

  markRecovered(guid: string): Promise<boolean> {
    return this.mark(guid, "recovered");
  }

  private key(guid: string): string {
    return `${this.prefix}:guid:${guid}`;
  }

  private async mark(guid: string, name: string): Promise<boolean> {
    const [[, set] = []] =
      (await this.redis.multi().hsetnx(this.key(guid), name, "1").pexpire(this.key(guid), KEEP_MS).exec()) ?? [];
    return set === 1;
  }
}
