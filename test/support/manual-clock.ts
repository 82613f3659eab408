import type { Clock } from "../../src/queue/job-queue.js";

/**
 * A clock that moves only when a test says so; timers fire in order as it passes them. Like
 * `systemClock`, it takes a delay of any length (no 2^31-1 ms limit) and reads one that is not a
 * number as 0.
 */
export class ManualClock implements Clock {
  private current: number;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;
  /** Timers set so far, to tell a timer armed once from one re-armed in a loop. */
  armed = 0;

  constructor(start: string | number) {
    this.current = typeof start === "string" ? Date.parse(start) : start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.armed += 1;
    this.timers.set(id, { at: this.current + (Number.isNaN(ms) ? 0 : Math.max(0, ms)), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers waiting to fire. */
  pending(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= target).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.current = Math.max(this.current, due[1].at);
      due[1].callback();
    }
    this.current = target;
  }
}
