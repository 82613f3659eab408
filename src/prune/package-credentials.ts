import type { Logger } from "probot";
import { isTransientError, statusOf, type Octokit } from "../github/octokit.js";

/** Who a package request runs as: the key of its write lane, never the token itself. */
export interface PackageAccess {
  octokit: Octokit;
  credential: string;
}

/** The Packages API refused a credential (401/403/404 that is not a rate limit). */
export class CredentialRefusedError extends Error {}

/** Neither the installation token nor a configured token may manage this owner's packages. */
export class NoPackageCredentialError extends Error {
  constructor(readonly owner: string) {
    super(
      `GitHub's Packages API does not accept this app's installation token for ${owner}, and no token is configured. ` +
        `Set DOCKHAND_PACKAGES_TOKEN (or DOCKHAND_PACKAGES_TOKENS={"${owner}":"…"}) to a classic personal access token with read:packages and delete:packages (write:packages to restore).`,
    );
  }
}

/**
 * The credential for an owner's packages. The installation token is tried once per owner (the REST
 * description says the Packages API refuses app tokens, some organisations see them work); a refusal
 * is remembered and the configured classic token is used from then on.
 */
export class PackageCredentials {
  private readonly appRefused = new Map<string, boolean>();
  private readonly told = new Set<string>();

  constructor(
    private readonly tokens: { byOwner: Record<string, string>; fallback: string | undefined },
    private readonly octokitForToken: (token: string) => Promise<Octokit>,
    private readonly log: Logger,
  ) {}

  /** Runs `work` with the best credential for the owner, again with the configured token if the installation's is refused. */
  async use<T>(
    owner: string,
    installation: { id: number; octokit: Octokit },
    work: (access: PackageAccess) => Promise<T>,
  ): Promise<T> {
    const key = owner.toLowerCase();
    if (this.appRefused.get(key) !== true) {
      try {
        const result = await work({ octokit: installation.octokit, credential: `installation:${installation.id}` });
        this.appRefused.set(key, false);
        return result;
      } catch (error) {
        if (!(error instanceof CredentialRefusedError) && !isRefusal(error)) throw error;
        this.appRefused.set(key, true);
        this.log.info(
          { owner },
          "the Packages API refused the installation token; using the configured token from now on",
        );
      }
    }
    const token = this.tokens.byOwner[key] ?? this.tokens.fallback;
    if (!token) {
      const missing = new NoPackageCredentialError(owner);
      if (!this.told.has(key)) {
        this.told.add(key);
        this.log.error({ owner }, missing.message);
      }
      throw missing;
    }
    return work({
      octokit: await this.octokitForToken(token),
      credential: `token:${key in this.tokens.byOwner ? key : "*"}`,
    });
  }
}

/** A 401, 403 or 404 that is about the credential, not a rate limit. */
export function isRefusal(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 401 || status === 404) return true;
  return status === 403 && !isRateLimit(error);
}

export function isRateLimit(error: unknown): boolean {
  const status = statusOf(error);
  return (status === 403 || status === 429) && isTransientError(error);
}
