import { statusOf, type Octokit, type RepoRef } from "../github/octokit.js";
import { CONFIG_MAX_BYTES, tooLarge } from "./parse-config-yaml.js";

export interface ConfigFileRef extends RepoRef {
  path: string;
}

/** No such file; the file's text; or a file that cannot be a config (too large, a directory). */
export type FetchedConfigFile = { found: false } | { found: true; text: string } | { found: true; problem: string };

export function fileLabel(ref: ConfigFileRef): string {
  return `${ref.owner}/${ref.repo}:${ref.path}`;
}

/**
 * One config file from a repository's default branch, through the Contents API's JSON form: GitHub
 * inlines at most 1 MB of content there, and its `size` is checked before anything is decoded, so a
 * large file costs one bounded answer and no parsing. Only a 404 of this read means "no file"; every
 * other failure (a refused or expired token, a suspended installation, a limiter error, a 5xx) is
 * thrown as it is, for the job to be tried again: none of them says anything about the file.
 */
export async function fetchConfigFile(octokit: Octokit, ref: ConfigFileRef): Promise<FetchedConfigFile> {
  let data: Awaited<ReturnType<Octokit["rest"]["repos"]["getContent"]>>["data"];
  try {
    ({ data } = await octokit.rest.repos.getContent({ owner: ref.owner, repo: ref.repo, path: ref.path }));
  } catch (error) {
    if (statusOf(error) === 404 && isContentsRead(error)) return { found: false };
    throw error;
  }
  const label = fileLabel(ref);
  if (Array.isArray(data)) return { found: true, problem: `${label} is a directory; Dockhand reads a YAML file there` };
  if (data.type !== "file")
    return { found: true, problem: `${label} is a ${data.type}, not a file; put the YAML file itself there` };
  if (data.size > CONFIG_MAX_BYTES) return { found: true, problem: tooLarge(label, data.size) };
  if (!("content" in data) || data.encoding !== "base64")
    throw new Error(
      `GitHub answered ${label} without its content (encoding ${"encoding" in data ? data.encoding : "none"})`,
    );
  return { found: true, text: Buffer.from(data.content, "base64").toString("utf8") };
}

/** A 404 of the token request (installation gone) is not a missing file. */
function isContentsRead(error: unknown): boolean {
  const url = (error as { request?: { url?: unknown } }).request?.url;
  return typeof url === "string" && /\/repos\/[^/]+\/[^/]+\/contents\//.test(url);
}
