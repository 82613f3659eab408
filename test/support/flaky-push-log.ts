/** The log of a build-and-push step whose push to ghcr.io flaked (a 502): one Dockhand re-runs. */
export const BUILDX_502 = [
  "2026-11-20T11:00:00.0000000Z ##[group]Run docker/build-push-action@v6",
  "2026-11-20T11:00:00.0000000Z ##[endgroup]",
  "2026-11-20T11:00:01.0000000Z ##[error]buildx failed with: ERROR: failed to solve: failed to push ghcr.io/octo-org/app:pr-1: unexpected status from PUT request to https://ghcr.io/v2/octo-org/app/manifests/pr-1: 502 Bad Gateway",
].join("\n");
