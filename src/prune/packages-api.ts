import type { Octokit } from "../github/octokit.js";
import { packageVersionSchema, toPackageVersion, type PackageVersion } from "./package-version.js";

/** A container package and who owns it; the owner's kind picks the REST routes. */
export interface PackageRef {
  owner: string;
  ownerKind: "Organization" | "User";
  /** As named on GitHub, nested names included (`app/api`); Octokit encodes it in the path. */
  name: string;
}

/** `GET /users/{owner}` says whether an owner is a user or an organization. */
export async function ownerKind(octokit: Octokit, owner: string): Promise<PackageRef["ownerKind"]> {
  const { data } = await octokit.rest.users.getByUsername({ username: owner });
  return data.type === "Organization" ? "Organization" : "User";
}

/** Every active version of the package, all pages of 100 (GitHub's largest), for users and organizations alike. */
export async function listVersions(octokit: Octokit, pkg: PackageRef): Promise<PackageVersion[]> {
  const raw =
    pkg.ownerKind === "Organization"
      ? await octokit.paginate(octokit.rest.packages.getAllPackageVersionsForPackageOwnedByOrg, {
          org: pkg.owner,
          package_type: "container",
          package_name: pkg.name,
          state: "active",
          per_page: 100,
        })
      : await octokit.paginate(octokit.rest.packages.getAllPackageVersionsForPackageOwnedByUser, {
          username: pkg.owner,
          package_type: "container",
          package_name: pkg.name,
          state: "active",
          per_page: 100,
        });
  return raw.map((version) => {
    const parsed = packageVersionSchema.safeParse(version);
    if (!parsed.success)
      throw new Error(
        `GitHub listed a package version Dockhand cannot read (id ${String((version as { id?: unknown }).id)})`,
      );
    return toPackageVersion(parsed.data);
  });
}

export async function deleteVersion(octokit: Octokit, pkg: PackageRef, id: number): Promise<void> {
  const params = { package_type: "container" as const, package_name: pkg.name, package_version_id: id };
  if (pkg.ownerKind === "Organization")
    await octokit.rest.packages.deletePackageVersionForOrg({ ...params, org: pkg.owner });
  else await octokit.rest.packages.deletePackageVersionForUser({ ...params, username: pkg.owner });
}

export async function restoreVersion(octokit: Octokit, pkg: PackageRef, id: number): Promise<void> {
  const params = { package_type: "container" as const, package_name: pkg.name, package_version_id: id };
  if (pkg.ownerKind === "Organization")
    await octokit.rest.packages.restorePackageVersionForOrg({ ...params, org: pkg.owner });
  else await octokit.rest.packages.restorePackageVersionForUser({ ...params, username: pkg.owner });
}
