import type { Octokit } from "../github/octokit.js";
import { mapLimit } from "../util/map-limit.js";
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

/** List pages asked for at once... */
const LIST_CONCURRENCY = 4;
/** ...the first this many not paced (a package of up to 2,000 versions waits for nothing)... */
const LIST_BURST = 20;
/**
 * ...and the rest at least this long after the previous start: with the burst, at most 620 in any
 * minute, some two thirds of the 900 points a minute GitHub allows a token on one endpoint (a GET is
 * 1 point), so a listing never draws the secondary rate limit however short the round trip.
 */
const LIST_SPACING_MS = 100;
/**
 * Pages read at most (100,000 versions, some 100 s of paced reads). A listing cut short would leave
 * out versions that a kept image may reference, so a longer one fails rather than plan from part of it.
 */
export const MAX_LIST_PAGES = 1000;

/**
 * Every active version of the package, all pages of 100 (GitHub's largest), for users and
 * organizations alike. The first page names the last, so the others are asked for together (bounded,
 * and paced as above); a list that grew meanwhile is followed further by its `next` links, and a
 * version listed twice (pages shifted) counts once. `onPage` hears each page's versions as it arrives,
 * before duplicates are removed.
 */
export async function listVersions(
  octokit: Octokit,
  pkg: PackageRef,
  onPage?: (versions: PackageVersion[]) => void,
  maxPages = MAX_LIST_PAGES,
): Promise<PackageVersion[]> {
  const tooMany = (page: number) =>
    new Error(
      `GitHub names page ${page} of ${pkg.owner}/${pkg.name}'s versions, past the ${maxPages} pages (${maxPages * 100} versions) Dockhand reads; ` +
        "it plans nothing from part of a package, so delete old versions by hand (or with a narrower package) until it lists fewer",
    );
  let asked = 0;
  let nextStart = 0;
  const page = async (number: number) => {
    asked += 1;
    if (asked > LIST_BURST) {
      const wait = nextStart - Date.now();
      nextStart = Math.max(Date.now(), nextStart) + LIST_SPACING_MS;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const params = { package_type: "container" as const, package_name: pkg.name, state: "active" as const };
    const response =
      pkg.ownerKind === "Organization"
        ? await octokit.rest.packages.getAllPackageVersionsForPackageOwnedByOrg({
            ...params,
            org: pkg.owner,
            per_page: 100,
            page: number,
          })
        : await octokit.rest.packages.getAllPackageVersionsForPackageOwnedByUser({
            ...params,
            username: pkg.owner,
            per_page: 100,
            page: number,
          });
    const versions = response.data.map(toVersion);
    onPage?.(versions);
    return { versions, link: response.headers.link ?? "" };
  };
  const first = await page(1);
  const last = pageOf(first.link, "last") ?? (pageOf(first.link, "next") === undefined ? 1 : 2);
  if (last > maxPages) throw tooMany(last);
  const pages = [first, ...(await mapLimit(range(2, last), LIST_CONCURRENCY, page))];
  for (let number = last; pageOf(pages.at(-1)?.link ?? "", "next") !== undefined;) {
    if (number >= maxPages) throw tooMany(number + 1);
    pages.push(await page(++number));
  }
  const byId = new Map<number, PackageVersion>();
  for (const { versions } of pages)
    for (const version of versions) if (!byId.has(version.id)) byId.set(version.id, version);
  return [...byId.values()];
}

function toVersion(version: unknown): PackageVersion {
  const parsed = packageVersionSchema.safeParse(version);
  if (!parsed.success)
    throw new Error(
      `GitHub listed a package version Dockhand cannot read (id ${String((version as { id?: unknown }).id)})`,
    );
  return toPackageVersion(parsed.data);
}

/** The page number a `Link` header gives for `rel`. */
function pageOf(link: string, rel: "next" | "last"): number | undefined {
  const url = new RegExp(`<([^>]+)>;\\s*rel="${rel}"`).exec(link)?.[1];
  const page = url ? Number(new URL(url).searchParams.get("page")) : Number.NaN;
  return Number.isInteger(page) && page > 0 ? page : undefined;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
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
