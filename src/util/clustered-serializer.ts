import type Bottleneck from "bottleneck";
import type { LimiterConnection } from "./bottleneck-connection.js";
import type { KeyedSerializer } from "./keyed-serializer.js";

/** A comment's read-modify-write takes a few requests of at most DOCKHAND_GITHUB_TIMEOUT_MS each. */
const HOLD_MS = 5 * 60 * 1000;

/**
 * The serializer of several replicas (REDIS_URL): one Bottleneck limiter per key with one slot,
 * clustered on Redis, so same-key tasks run one at a time across every replica. A replica that dies
 * holding a slot loses it after Bottleneck's client timeout (10 s); a task that hangs, after `HOLD_MS`.
 */
export class ClusteredSerializer implements KeyedSerializer {
  private readonly group: Bottleneck.Group;

  constructor(connection: LimiterConnection, id = "dockhand-serial") {
    this.group = connection.group({ id, maxConcurrent: 1, timeout: HOLD_MS });
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.group.key(key).schedule({ expiration: HOLD_MS }, task);
  }
}
