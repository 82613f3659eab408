import type { Redis } from "ioredis";
import { RERUN_OUTCOMES, type RuleOutcome } from "./rerun-outcome.js";
import type { RecordedOutcome } from "./retry-breaker.js";

/** Whose breaker: one per installation, repository and rule. */
export interface BreakerScope {
  installationId: number;
  repository: string;
}

/**
 * Re-run outcomes per (installation, repository, rule), the breaker's memory. Each run attempt's
 * outcomes are added once, whichever delivery or replica brings them; the store keeps only the latest
 * `MAX_OUTCOMES` per rule, for `RETENTION_SECONDS`.
 */
export interface BreakerStore {
  /** Adds the outcomes of the re-run of `attempt` (a run attempt key); false when they were already added. */
  record(scope: BreakerScope, attempt: string, outcomes: readonly RuleOutcome[], at: number): Promise<boolean>;
  /** A rule's recorded outcomes, in the order they were added. */
  history(scope: BreakerScope, rule: string): Promise<RecordedOutcome[]>;
}

/** `retry.breaker.failures` is at most 20: a row of them, and what came after, fits. */
export const MAX_OUTCOMES = 32;
/** The longest window plus the longest cooldown `retry.breaker` allows (7 days each). */
export const RETENTION_SECONDS = 14 * 24 * 3600;
/** The single-process store forgets its oldest rules and attempts past this many. */
const MAX_MEMORY_KEYS = 5_000;

/** The single-process store (no REDIS_URL): lost on restart, like the queue. */
export class MemoryBreakerStore implements BreakerStore {
  private readonly outcomes = new Map<string, RecordedOutcome[]>();
  private readonly recorded = new Set<string>();

  record(scope: BreakerScope, attempt: string, outcomes: readonly RuleOutcome[], at: number): Promise<boolean> {
    const key = `${scope.installationId}:${attempt}`;
    if (this.recorded.has(key)) return Promise.resolve(false);
    remember(this.recorded, key);
    for (const { rule, outcome } of outcomes) {
      const name = ruleKey(scope, rule);
      const list = [...(this.outcomes.get(name) ?? []), { outcome, at }].slice(-MAX_OUTCOMES);
      // Deleted first so that the rule moves to the newest end of the map's order.
      this.outcomes.delete(name);
      this.outcomes.set(name, list);
      forgetOldest(this.outcomes);
    }
    return Promise.resolve(true);
  }

  history(scope: BreakerScope, rule: string): Promise<RecordedOutcome[]> {
    return Promise.resolve(this.outcomes.get(ruleKey(scope, rule)) ?? []);
  }
}

function remember(set: Set<string>, key: string): void {
  set.add(key);
  for (const oldest of set) {
    if (set.size <= MAX_MEMORY_KEYS) break;
    set.delete(oldest);
  }
}

function forgetOldest(map: Map<string, unknown>): void {
  for (const oldest of map.keys()) {
    if (map.size <= MAX_MEMORY_KEYS) break;
    map.delete(oldest);
  }
}

/**
 * Marks the attempt and appends to each rule's list in one step: a crash between the two would either
 * lose the outcome for good (marked, not added) or let a retry add it twice.
 * KEYS[1]: the attempt's mark; KEYS[2…]: the rules' lists. ARGV: ttl, max length, then one entry per list.
 */
const RECORD_SCRIPT = `
if redis.call("SET", KEYS[1], "1", "NX", "EX", ARGV[1]) == false then return 0 end
for i = 2, #KEYS do
  redis.call("RPUSH", KEYS[i], ARGV[i + 1])
  redis.call("LTRIM", KEYS[i], -tonumber(ARGV[2]), -1)
  redis.call("EXPIRE", KEYS[i], ARGV[1])
end
return 1`;

/** The Redis mode: shared by every replica; plain keys that expire, written by one atomic script. */
export class RedisBreakerStore implements BreakerStore {
  constructor(private readonly redis: Redis) {}

  async record(scope: BreakerScope, attempt: string, outcomes: readonly RuleOutcome[], at: number): Promise<boolean> {
    const added = await this.redis.eval(
      RECORD_SCRIPT,
      1 + outcomes.length,
      `dockhand:retry-outcome:${scope.installationId}:${attempt}`,
      ...outcomes.map((o) => ruleKey(scope, o.rule)),
      RETENTION_SECONDS,
      MAX_OUTCOMES,
      ...outcomes.map((o) => JSON.stringify({ outcome: o.outcome, at })),
    );
    return added === 1;
  }

  async history(scope: BreakerScope, rule: string): Promise<RecordedOutcome[]> {
    const entries = await this.redis.lrange(ruleKey(scope, rule), 0, -1);
    return entries.flatMap((entry) => {
      const parsed = parseEntry(entry);
      return parsed ? [parsed] : [];
    });
  }
}

/** An entry another release wrote in another shape is skipped, never misread. */
function parseEntry(entry: string): RecordedOutcome | undefined {
  try {
    const value = JSON.parse(entry) as { outcome?: unknown; at?: unknown };
    return (RERUN_OUTCOMES as readonly unknown[]).includes(value.outcome) && typeof value.at === "number"
      ? { outcome: value.outcome as RecordedOutcome["outcome"], at: value.at }
      : undefined;
  } catch {
    return undefined;
  }
}

function ruleKey(scope: BreakerScope, rule: string): string {
  return `dockhand:retry-breaker:${scope.installationId}:${scope.repository}:${rule}`;
}
