import { z } from "zod";
import { defineJob } from "../queue/job-kind.js";

/**
 * A webhook delivery, queued by the webhook path and handled by a worker. `work` names the work it
 * stands for (a run attempt, one close of a PR; else the delivery), so the same work is queued once
 * however many times GitHub delivers it or however many replicas receive it.
 */
export const eventJobSchema = z.object({
  name: z.string(),
  delivery: z.string(),
  installationId: z.number(),
  work: z.string(),
  payload: z.unknown(),
});
export type EventJob = z.infer<typeof eventJobSchema>;

export const EVENT_JOB = defineJob({ name: "event", schema: eventJobSchema, id: (job) => `event:${job.work}` });
