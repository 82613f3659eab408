import Bottleneck from "bottleneck";
import type { LimiterConnection } from "../util/bottleneck-connection.js";

/** Runs one credential's writes one at a time. */
export interface WriteLane {
  schedule<T>(write: () => Promise<T>): Promise<T>;
}

/**
 * One write lane per credential: its package deletions run one at a time, and each waits `gapMs`
 * after the previous one *finished*, so GitHub sees at least that gap however the network jitters
 * (spacing the starts alone let requests arrive closer than a second apart).
 */
export class WriteLanes {
  private readonly lanes = new Map<string, WriteLane>();

  /** With a Redis `connection`, a lane is shared by every replica (Bottleneck clustering): one write at a time across all. */
  constructor(
    private readonly gapMs: number,
    private readonly connection?: LimiterConnection,
  ) {}

  for(credential: string): WriteLane {
    let lane = this.lanes.get(credential);
    if (!lane && this.connection) {
      const limiter = this.connection.limiter({
        id: `dockhand-lane-${credential}`,
        clearDatastore: false,
        maxConcurrent: 1,
      });
      // The slot is held for the gap after the write, so the next one, on any replica, starts after it.
      lane = {
        schedule: (write) =>
          limiter.schedule(async () => {
            try {
              return await write();
            } finally {
              await new Promise((resolve) => setTimeout(resolve, this.gapMs));
            }
          }),
      };
      this.lanes.set(credential, lane);
    }
    if (!lane) {
      const limiter = new Bottleneck({ maxConcurrent: 1 });
      let lastEnd = 0;
      lane = {
        schedule: (write) =>
          limiter.schedule(async () => {
            const wait = lastEnd + this.gapMs - Date.now();
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
            try {
              return await write();
            } finally {
              lastEnd = Date.now();
            }
          }),
      };
      this.lanes.set(credential, lane);
    }
    return lane;
  }
}
