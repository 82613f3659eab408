import type { Logger } from "probot";

export interface ShutdownOptions {
  /** DOCKHAND_SHUTDOWN_TIMEOUT_MS: how long `drain` may take. */
  timeoutMs: number;
  log: Logger;
  /** Called first: `/readyz` starts saying not ready. */
  onSignal: () => void;
  /** Stops taking webhooks and lets running jobs finish. */
  drain: () => Promise<unknown>;
  /** Waits, at most the given time, for the log's last lines to leave the process. */
  flushLog: (timeoutMs: number) => Promise<void>;
}

/**
 * SIGTERM (what `docker stop` and Kubernetes send) or SIGINT: stop taking webhooks, let running jobs
 * finish, exit 0 (the log's last lines get what is left of the deadline to leave). When `timeoutMs`
 * passes first, exit 1 at once: `process.exit` waits on nothing the log does (its writes never block,
 * log-destination.ts), whatever the reader of stdout does.
 */
export function exitOnSignal(options: ShutdownOptions): void {
  const { timeoutMs, log } = options;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const deadline = Date.now() + timeoutMs;
    options.onSignal();
    log.info({ timeoutMs }, `${signal}: no longer taking webhooks; finishing running jobs`);
    const timer = setTimeout(() => {
      log.warn("shutdown deadline passed with jobs still running; exiting");
      process.exit(1);
    }, timeoutMs);
    options.drain().then(
      async () => {
        clearTimeout(timer);
        log.info("shut down cleanly");
        await options.flushLog(deadline - Date.now());
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
