import type { z } from "zod";
import type { JobQueue, RunningJob } from "./job-queue.js";

/**
 * A kind of job, declared as data: its name, the shape of its data (checked when a job is handled, so
 * that data stored by another release of Dockhand, in Redis across a deploy, is refused by name rather
 * than misread), the id of the work a job stands for (adding the same work twice adds nothing), and
 * its lane: `prune` jobs have slots of their own (see `DOCKHAND_PRUNE_CONCURRENCY`).
 */
export interface JobKind<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  id(data: T): string;
  readonly lane?: "prune";
}

export function defineJob<T>(kind: JobKind<T>): JobKind<T> {
  return kind;
}

/**
 * A job that runs on a schedule. With a queue that keeps schedulers (Redis), one fires it once per
 * firing across replicas, without data; otherwise the runs are a chain in this process, from `first`,
 * each queuing `next` of its data when it ends, whether it succeeded or is tried again (the next link's
 * id comes from its data, so a retry queues nothing twice) or failed for good (the chain goes on).
 */
export interface Periodic<T> {
  schedule: string | { everyMs: number };
  first: () => { data: T; runAt: number };
  next: (data: T) => { data: T; runAt: number } | undefined;
}

/** Data a job kind's schema refuses: written by another release, or by hand. */
export class JobDataError extends Error {}

/** The queue through job kinds: typed data in, checked data out. */
export class Jobs {
  constructor(readonly queue: JobQueue) {}

  /** Resolves false when the same work is already pending or finished recently. */
  add<T>(kind: JobKind<T>, data: T, runAt: number): Promise<boolean> {
    return this.queue.add(kind.name, data, { id: kind.id(data), runAt });
  }

  handle<T>(kind: JobKind<T>, handler: (data: T, running: RunningJob) => Promise<void>): void {
    this.queue.handle(kind.name, async (raw, running) => {
      const parsed = kind.schema.safeParse(raw);
      if (!parsed.success) {
        const problems = parsed.error.issues
          .slice(0, 5)
          .map((issue) => `${issue.path.join(".") || "(data)"}: ${issue.message}`);
        throw new JobDataError(
          `a ${kind.name} job's data does not have the shape this release of Dockhand expects (${problems.join("; ")}); it was probably queued by another release`,
        );
      }
      await handler(parsed.data, running);
    });
  }

  /**
   * Handles a periodic job (see `Periodic`); the function returned starts the schedule, for a
   * capability to call when it is switched on (a scheduler another replica left in Redis still fires,
   * which is why the handler is registered either way).
   */
  periodic<T>(
    kind: JobKind<T>,
    periodic: Periodic<T>,
    handler: (data: T, running: RunningJob) => Promise<void>,
  ): () => Promise<void> {
    const scheduled = this.queue.every?.bind(this.queue);
    this.handle(kind, async (data, running) => {
      try {
        await handler(data, running);
      } finally {
        const link = scheduled ? undefined : periodic.next(data);
        if (link) await this.add(kind, link.data, link.runAt);
      }
    });
    return async () => {
      if (scheduled) return scheduled(kind.name, periodic.schedule);
      const { data, runAt } = periodic.first();
      await this.add(kind, data, runAt);
    };
  }
}

/** What the queues need to know of a kind to give it its lane. */
export type LaneOf = Pick<JobKind<unknown>, "name" | "lane">;

/** The lanes a set of job kinds asks for, in the shape the queues take. */
export function lanesOf(
  kinds: readonly LaneOf[],
  concurrency: { prune: number },
): Record<string, { kinds: string[]; concurrency: number }> {
  const prune = kinds.filter((kind) => kind.lane === "prune").map((kind) => kind.name);
  return prune.length > 0 ? { prune: { kinds: prune, concurrency: concurrency.prune } } : {};
}
