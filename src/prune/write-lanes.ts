import Bottleneck from "bottleneck";

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

  constructor(private readonly gapMs: number) {}

  for(credential: string): WriteLane {
    let lane = this.lanes.get(credential);
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
