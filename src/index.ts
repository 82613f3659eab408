import type { ApplicationFunctionOptions, Logger, Probot } from "probot";
import { prune } from "./capabilities/prune.js";
import { redeliver } from "./capabilities/redeliver.js";
import { report } from "./capabilities/report.js";
import { retry } from "./capabilities/retry.js";
import { systemClock, type Clock, type JobQueue } from "./queue/job-queue.js";
import { createRuntime, type Capability, type RuntimeOptions } from "./runtime/runtime.js";
import { readSettings, type Settings } from "./settings.js";

/** What Dockhand does; each capability subscribes its events and handles its jobs. */
export const CAPABILITIES: readonly Capability[] = [report, retry, prune, redeliver];

export interface DockhandOptions extends Partial<Pick<RuntimeOptions, "lifecycle" | "queue">> {
  /** The operator's settings; read from the environment when not given. */
  settings?: Settings;
  /** Tests move time by hand. */
  clock?: Clock;
  /** Receives the app's queue, log and a close function: tests wait on the queue, the process drains it on SIGTERM. */
  onStarted?: (handles: { queue: JobQueue; log: Logger; close: () => Promise<void> }) => void;
}

export function createDockhand(options: DockhandOptions = {}) {
  return function dockhand(app: Probot, appOptions?: Partial<ApplicationFunctionOptions>): void {
    const settings = options.settings ?? readSettings();
    const runtime = createRuntime(
      app,
      settings,
      CAPABILITIES,
      { clock: options.clock ?? systemClock, lifecycle: options.lifecycle, queue: options.queue },
      appOptions,
    );
    for (const capability of CAPABILITIES) capability.register(runtime);
    options.onStarted?.({ queue: runtime.queue, log: runtime.log, close: runtime.close });
  };
}

export default createDockhand();
