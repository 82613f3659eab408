import { z } from "zod";

/**
 * Operator settings from the environment (the repository config cannot change these). Everything
 * Probot itself reads (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, LOG_LEVEL, ...) stays Probot's.
 */
export interface Settings {
  /** Registry hosts Dockhand may contact; nothing else is ever requested. */
  registries: string[];
  /** Basic-auth credentials per registry host, for private images. */
  registryCredentials: Record<string, { username: string; password: string }>;
  registryTimeoutMs: number;
}

const hostList = z
  .string()
  .transform((value) => value.split(",").map((host) => host.trim().toLowerCase()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:]+\](:\d+)?$/, "must be host or host:port")));

const credentials = z
  .string()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: 'must be JSON, e.g. {"ghcr.io":"user:token"}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.string().regex(/^[^:]+:.+$/, 'each value must be "username:password"')))
  .transform((record) =>
    Object.fromEntries(
      Object.entries(record).map(([host, pair]) => {
        const index = pair.indexOf(":");
        return [host.toLowerCase(), { username: pair.slice(0, index), password: pair.slice(index + 1) }];
      }),
    ),
  );

const environment = z.object({
  DOCKHAND_REGISTRIES: hostList.default(["ghcr.io"]),
  DOCKHAND_REGISTRY_CREDENTIALS: credentials.default({}),
  DOCKHAND_REGISTRY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
});

export class SettingsError extends Error {}

export function readSettings(env: Record<string, string | undefined> = process.env): Settings {
  const result = environment.safeParse(env);
  if (!result.success) {
    // Never echo the value: it may be a credential.
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new SettingsError(`Invalid environment: ${problems.join("; ")}. See README.md#environment.`);
  }
  return {
    registries: result.data.DOCKHAND_REGISTRIES,
    registryCredentials: result.data.DOCKHAND_REGISTRY_CREDENTIALS,
    registryTimeoutMs: result.data.DOCKHAND_REGISTRY_TIMEOUT_MS,
  };
}
