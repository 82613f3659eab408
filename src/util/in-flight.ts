/**
 * Work started before it is needed, and perhaps never awaited (a read the caller turns out not to
 * need): its failure is not an unhandled rejection, and `settled` lets the caller end only once
 * nothing it started is still running, whether it returns or throws.
 */
export class InFlight {
  private readonly started: Promise<unknown>[] = [];

  /** Returns `work` itself: awaiting it still throws its error. */
  start<T>(work: Promise<T>): Promise<T> {
    this.started.push(work.catch(() => undefined));
    return work;
  }

  async settled(): Promise<void> {
    await Promise.all(this.started);
  }
}
