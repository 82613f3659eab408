import type { Redis } from "ioredis";

/**
 * Re-runs spent per repository per UTC day, as a set of run-attempt keys: reserving the same attempt
 * twice (a redelivery, a second replica) counts once, and a re-run called off is given back.
 */
export interface RetryBudget {
  /** Re-runs reserved for the day, not counting `except`. */
  used(repository: string, day: string, except: string): Promise<number>;
  reserve(repository: string, day: string, key: string): Promise<void>;
  release(repository: string, day: string, key: string): Promise<void>;
}

export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The single-process budget; days before yesterday are forgotten. */
export class MemoryRetryBudget implements RetryBudget {
  private readonly days = new Map<string, Set<string>>();

  used(repository: string, day: string, except: string): Promise<number> {
    const keys = this.days.get(`${repository}@${day}`);
    return Promise.resolve(keys ? keys.size - Number(keys.has(except)) : 0);
  }

  reserve(repository: string, day: string, key: string): Promise<void> {
    const oldest = utcDay(Date.parse(`${day}T00:00:00Z`) - 24 * 3600 * 1000);
    for (const name of this.days.keys()) if (name.slice(name.lastIndexOf("@") + 1) < oldest) this.days.delete(name);
    const name = `${repository}@${day}`;
    this.days.set(name, (this.days.get(name) ?? new Set()).add(key));
    return Promise.resolve();
  }

  release(repository: string, day: string, key: string): Promise<void> {
    this.days.get(`${repository}@${day}`)?.delete(key);
    return Promise.resolve();
  }
}

/** The Redis mode: one set per repository and day, shared by every replica, expiring after three days. */
export class RedisRetryBudget implements RetryBudget {
  constructor(private readonly redis: Redis) {}

  async used(repository: string, day: string, except: string): Promise<number> {
    const key = budgetKey(repository, day);
    const [count, member] = await Promise.all([this.redis.scard(key), this.redis.sismember(key, except)]);
    return count - member;
  }

  async reserve(repository: string, day: string, key: string): Promise<void> {
    await this.redis
      .multi()
      .sadd(budgetKey(repository, day), key)
      .expire(budgetKey(repository, day), 3 * 24 * 3600)
      .exec();
  }

  async release(repository: string, day: string, key: string): Promise<void> {
    await this.redis.srem(budgetKey(repository, day), key);
  }
}

function budgetKey(repository: string, day: string): string {
  return `dockhand:retry-budget:${repository}:${day}`;
}
