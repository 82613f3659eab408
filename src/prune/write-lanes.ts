import Bottleneck from "bottleneck";

/**
 * One write lane per credential: its package deletions run one at a time with at least
 * `minTime` between them (GitHub asks for a second between writes), whatever runs them.
 */
export class WriteLanes {
  private readonly lanes = new Map<string, Bottleneck>();

  constructor(private readonly minTime: number) {}

  for(credential: string): Bottleneck {
    let lane = this.lanes.get(credential);
    if (!lane) {
      lane = new Bottleneck({ maxConcurrent: 1, minTime: this.minTime });
      this.lanes.set(credential, lane);
    }
    return lane;
  }
}
