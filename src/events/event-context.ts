import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";

/** What a handler needs of a delivery, whether it runs in the request or later in a worker. */
export interface EventContext {
  /** The webhook payload, checked by each handler against the fields it uses. */
  payload: unknown;
  /** Authenticated as the installation the delivery came from. */
  octokit: Octokit;
  log: Logger;
}
