import type { Probot } from "probot";

/**
 * The app's own id, to recognise the comments it wrote (`performed_via_github_app`). Asked of GitHub
 * once (`GET /app`) rather than taken from the environment, so it is right on any GitHub host.
 */
export function appIdentity(app: Probot): () => Promise<number> {
  let pending: Promise<number> | undefined;
  return () => {
    pending ??= app
      .auth()
      .then((octokit) => octokit.rest.apps.getAuthenticated())
      .then(({ data }) => {
        if (!data) throw new Error("GET /app returned no app");
        return data.id;
      })
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}
