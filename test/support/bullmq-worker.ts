// A replica's worker in its own process, for the takeover test: it claims "slow" jobs and never
// finishes them, so that killing it leaves a job locked by a dead worker.
import { pino } from "pino";
import { BullmqQueue } from "../../src/queue/bullmq-queue.js";
import { systemClock } from "../../src/queue/job-queue.js";

const queue = new BullmqQueue({
  redisUrl: process.argv[2] ?? "",
  clock: systemClock,
  log: pino({ level: "silent" }),
  name: process.argv[3],
  lockDurationMs: 1000,
  stalledIntervalMs: 500,
});
queue.handle("slow", async () => {
  process.stdout.write("started\n");
  await new Promise(() => undefined);
});
