/**
 * A failure of what Dockhand runs on, not an answer from GitHub: Redis refused a command (a clustered
 * limiter's script: `ERR UNKNOWN_CLIENT`, `ERR SETTINGS_KEY_NOT_FOUND`), lost its connection or used up
 * its retries, or a limiter gave up on a job (Probot's throttling and Dockhand's lanes and serializer
 * wrap GitHub requests, so these surface as a request's error, without an HTTP status). A later try
 * meets Redis healthy again: work that meets one is retried, and never read as a fact about the
 * user's repository, config or run.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === "ReplyError" ||
    error.name === "MaxRetriesPerRequestError" ||
    error.message === "Connection is closed." ||
    // Bottleneck's own errors (a job past its expiration, a stopped limiter) keep the class name only.
    error.constructor.name === "BottleneckError"
  );
}
