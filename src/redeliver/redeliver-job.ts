import { z } from "zod";
import { defineJob } from "../queue/job-kind.js";

/**
 * One run of the recovery loop. In one process the runs are a chain, each queuing the next at its
 * `slot` plus the interval; a Redis job scheduler fires them without data, once across replicas.
 */
export const redeliverJobSchema = z.object({ slot: z.number().optional() });
export type RedeliverJob = z.infer<typeof redeliverJobSchema>;

export const REDELIVER_JOB = defineJob({
  name: "redeliver",
  schema: redeliverJobSchema,
  id: (job) => `redeliver@${job.slot ?? "scheduled"}`,
});
