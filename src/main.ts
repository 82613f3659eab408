import type { Logger } from "probot";
import { run } from "probot";
import { createDockhand } from "./index.js";
import { readSettings } from "./settings.js";

/**
 * Process entry: Probot's server with the Dockhand app (setup flow from app.yml when unconfigured).
 * SIGTERM (what `docker stop` and Kubernetes send) stops taking webhooks, lets running jobs finish
 * within DOCKHAND_SHUTDOWN_TIMEOUT_MS (default 25 s), then exits.
 */
const { shutdownTimeoutMs: timeoutMs } = readSettings();
const lifecycle = { draining: false };
let close: (() => Promise<void>) | undefined;
let log: Logger | undefined;
const server = await run(createDockhand({ lifecycle, onStarted: (handles) => ((close = handles.close), (log = handles.log)) }));

process.once("SIGTERM", () => {
  lifecycle.draining = true;
  log?.info({ timeoutMs }, "SIGTERM: no longer taking webhooks; finishing running jobs");
  const deadline = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref());
  const drained = Promise.all([server.stop(), close?.()]).then(() => "drained" as const);
  void Promise.race([drained, deadline]).then((outcome) => {
    if (outcome === "timeout") log?.warn("shutdown deadline passed with jobs still running; exiting");
    else log?.info("shut down cleanly");
    process.exit(outcome === "timeout" ? 1 : 0);
  });
});
