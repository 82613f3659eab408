import picomatch from "picomatch";
import type { WorkflowSelector } from "./schema.js";

export interface WorkflowIdentity {
  event: string;
  name: string;
  path: string;
}

/** Whether a run is one the config asks Dockhand to look at. */
export function isSelectedRun(selector: WorkflowSelector, run: WorkflowIdentity): boolean {
  if (!selector.events.includes(run.event)) return false;
  if (selector.names.length === 0 && selector.paths.length === 0) return true;
  return (
    (selector.names.length > 0 && picomatch.isMatch(run.name, selector.names)) ||
    (selector.paths.length > 0 && picomatch.isMatch(run.path, selector.paths, { dot: true }))
  );
}
