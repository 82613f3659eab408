import type { ManifestRead } from "../registry/registry-client.js";

/**
 * A package's manifest reads: each digest read once however often it is asked for, at most `limit`
 * at once, in the order asked. Reads can start before the caller knows it needs their results (the
 * tagged versions of each list page as it arrives); `close` then ends the run cleanly: reads not yet
 * begun are dropped, and it returns once none is still running, whether the run succeeded or threw.
 */
export class ManifestReads {
  private readonly reads = new Map<string, Promise<ManifestRead>>();
  /** Reads waiting for a slot; a finishing read hands its slot to the first. */
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private closed = false;

  constructor(
    private readonly read: (digest: string) => Promise<ManifestRead>,
    private readonly limit: number,
  ) {}

  /** The read of `digest`, started now or behind those asked for before it; its failure is thrown to whoever awaits it. */
  start(digest: string): Promise<ManifestRead> {
    let read = this.reads.get(digest);
    if (!read) {
      read = this.queue(digest);
      // A read started early and never awaited must not be an unhandled rejection.
      read.catch(() => undefined);
      this.reads.set(digest, read);
    }
    return read;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.reads.values());
  }

  private async queue(digest: string): Promise<ManifestRead> {
    if (this.running < this.limit) this.running += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      if (this.closed) return { ok: false, reason: "not read: the run ended first" };
      return await this.read(digest);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
