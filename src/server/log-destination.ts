import type { Writable } from "node:stream";

/**
 * Where the log's lines go: stdout, never waited on. A reader that is slow, gone or never there must
 * not stall the process nor grow its memory, so lines are dropped (and counted) while more than
 * `maxQueuedBytes` wait, and nothing more is written after an error (EPIPE: the reader closed its end).
 * Node writes a pipe or socket without blocking and does not wait for what is still queued when the
 * process exits, so a full pipe holds up neither the event loop nor the exit.
 */
export class LogDestination {
  /** Lines dropped because the reader was too slow. */
  dropped = 0;
  private broken = false;

  constructor(
    private readonly out: Writable = process.stdout,
    private readonly maxQueuedBytes = 4 * 1024 * 1024,
  ) {
    out.on("error", () => (this.broken = true));
  }

  write(line: string): void {
    if (this.broken) return;
    if (this.out.writableLength > this.maxQueuedBytes) {
      this.dropped += 1;
      return;
    }
    try {
      this.out.write(line);
    } catch {
      // A file written synchronously throws instead (EBADF, ENOSPC).
      this.broken = true;
    }
  }

  /** Resolves once what was written has left the process, or the output broke, or `timeoutMs` passed. */
  async flushed(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Lines logged just before are still passing through the formatter.
    await new Promise((resolve) => setImmediate(resolve));
    while (!this.broken && this.out.writableLength > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
