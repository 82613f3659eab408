import { globsMatcher } from "../util/glob.js";
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
    // A fork names its workflow: the repository's globs run on RE2 (util/glob.ts), linear in the name.
    globsMatcher(selector.names)(run.name) || globsMatcher(selector.paths, { paths: true })(run.path)
  );
}
