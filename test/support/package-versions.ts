import type { PackageVersion } from "../../src/prune/package-version.js";
import { checkResponse, exampleResponse, findOperation } from "./openapi.js";

const LIST = "/orgs/octo-org/packages/container/app/versions";

/**
 * Versions as the Packages REST API returns them: GitHub's own example object with our id, digest,
 * dates and tags, checked against the response schema.
 */
export function restVersions(versions: PackageVersion[], owner = "octo-org", name = "app"): Record<string, unknown>[] {
  const base = exampleResponse<Record<string, unknown>[]>("GET", LIST)[0] ?? {};
  const body = versions.map((v) => ({
    ...base,
    id: v.id,
    name: v.digest,
    url: `https://api.github.com/orgs/${owner}/packages/container/${encodeURIComponent(name)}/versions/${v.id}`,
    package_html_url: `https://github.com/orgs/${owner}/packages/container/package/${encodeURIComponent(name)}`,
    html_url: `https://github.com/orgs/${owner}/packages/container/${encodeURIComponent(name)}/${v.id}`,
    created_at: new Date(v.createdAt).toISOString(),
    updated_at: new Date(v.updatedAt).toISOString(),
    metadata: { package_type: "container", container: { tags: v.tags } },
  }));
  const operation = findOperation("GET", LIST);
  if (!operation) throw new Error("no OpenAPI operation for the package versions list");
  const problems = checkResponse(operation, 200, body);
  if (problems.length > 0) throw new Error(problems.join("; "));
  return body;
}
