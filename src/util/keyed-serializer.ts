/**
 * Runs tasks with the same key one after another: two deliveries for one PR must not both read the
 * comment's state and then each write back their own half, nor both decide there is none and create two.
 */
export interface KeyedSerializer {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** The single-process serializer: same-key tasks run in arrival order. */
export class InProcessSerializer implements KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
