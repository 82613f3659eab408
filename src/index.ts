import type { Probot } from "probot";
import { appIdentity } from "./github/app-identity.js";
import { RegistryClient } from "./registry/registry-client.js";
import { handleWorkflowRunCompleted } from "./report/handle-workflow-run.js";
import { readSettings } from "./settings.js";
import { KeyedSerializer } from "./util/keyed-serializer.js";

/** Wiring only: each capability's handler gets its dependencies here. */
export default function dockhand(app: Probot): void {
  const settings = readSettings();
  const registry = new RegistryClient({
    allowList: settings.registries,
    credentials: settings.registryCredentials,
    timeoutMs: settings.registryTimeoutMs,
  });
  const report = { appId: appIdentity(app), registry, serializer: new KeyedSerializer() };
  app.on("workflow_run.completed", (context) => handleWorkflowRunCompleted(context, report));
}
