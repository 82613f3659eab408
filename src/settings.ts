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
  /** Deadline of each GitHub API request. */
  githubTimeoutMs: number;
  /** Least time between two writes of one installation (or token) to GitHub; new comments wait three times as long. */
  githubWriteIntervalMs: number;
  /** Classic PATs for the Packages API, which refuses app tokens: per owner, and one for any owner. */
  packagesTokens: { byOwner: Record<string, string>; fallback: string | undefined };
  /** The registry that serves the owners' container packages: ghcr.io, or containers.<GHES host>. */
  containerRegistry: string;
  /** Least time between two package deletions with one credential. */
  pruneWriteIntervalMs: number;
  /** With Redis, the manifest cache's bound in bytes (0: manifests cached in each process only). */
  manifestCacheBytes: number;
  /** How many bytes of webhook bodies not yet verified may be held at once (see server/webhook-handler.ts). */
  webhookReadBytes: number;
  /** Jobs each process runs at once: reports, retry decisions and re-runs; and prunes, in a lane of their own. */
  concurrency: { jobs: number; prune: number };
  /** On SIGTERM, how long running jobs may take to finish. */
  shutdownTimeoutMs: number;
  /** Whether this process runs the scheduled prune sweeps. */
  sweep: boolean;
  /** The recovery loop: deliveries GitHub could not deliver, asked for again (see src/redeliver/). */
  redeliver: {
    enabled: boolean;
    intervalMs: number;
    /** How far back the first run after a start looks when no checkpoint is kept (in-process mode). */
    lookbackMs: number;
    maxPerRun: number;
    /** Redeliveries Dockhand asks for one delivery (guid), in all. */
    maxPerDelivery: number;
  };
  /** With Redis, jobs, schedules, the retry budget and write lanes are shared by every replica. */
  redisUrl: string | undefined;
  /** The secret the PR comment's state is sealed with: DOCKHAND_STATE_KEY, else WEBHOOK_SECRET (see comment/seal-state.ts). */
  stateSecret: string;
}

const hostList = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:]+\](:\d+)?$/, "must be host or host:port")));

/** A JSON value in a variable; `example` shows the expected shape when it does not parse. */
const json = (example: string) =>
  z.string().transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: `must be JSON, e.g. ${example}` });
      return z.NEVER;
    }
  });

const credentials = json('{"ghcr.io":"user:token"}')
  .pipe(z.record(z.string(), z.string().regex(/^[^:]+:.+$/, 'each value must be "username:password"')))
  .transform((record) =>
    Object.fromEntries(
      Object.entries(record).map(([host, pair]) => {
        const index = pair.indexOf(":");
        return [host.toLowerCase(), { username: pair.slice(0, index), password: pair.slice(index + 1) }];
      }),
    ),
  );

const ownerTokens = json('{"octo-org":"ghp_…"}')
  .pipe(z.record(z.string(), z.string().min(1, "each value must be a token")))
  .transform((record) =>
    Object.fromEntries(Object.entries(record).map(([owner, token]) => [owner.toLowerCase(), token])),
  );

const environment = z.object({
  DOCKHAND_REGISTRIES: hostList.default(["ghcr.io"]),
  DOCKHAND_REGISTRY_CREDENTIALS: credentials.default({}),
  DOCKHAND_REGISTRY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  DOCKHAND_GITHUB_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  DOCKHAND_GITHUB_WRITE_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  DOCKHAND_PACKAGES_TOKEN: z.string().min(1).optional(),
  DOCKHAND_PACKAGES_TOKENS: ownerTokens.default({}),
  DOCKHAND_CONTAINER_REGISTRY: z
    .string()
    .regex(/^[a-z0-9.-]+(:\d+)?$/, "must be host or host:port")
    .default("ghcr.io"),
  DOCKHAND_PRUNE_WRITE_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  DOCKHAND_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  DOCKHAND_PRUNE_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(2),
  DOCKHAND_MANIFEST_CACHE_MB: z.coerce.number().int().min(0).max(65_536).default(256),
  // At least one delivery of GitHub's largest (25 MB) must fit.
  DOCKHAND_WEBHOOK_READ_MB: z.coerce.number().int().min(25).max(65_536).default(100),
  DOCKHAND_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
  DOCKHAND_SWEEP: z.enum(["on", "off"], "must be on or off").default("on"),
  DOCKHAND_REDELIVER: z.enum(["on", "off"], "must be on or off").default("on"),
  DOCKHAND_REDELIVER_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(600_000),
  // GitHub keeps deliveries, and redelivers them, for 3 days.
  DOCKHAND_REDELIVER_LOOKBACK_MS: z.coerce.number().int().min(60_000).max(259_200_000).default(10_800_000),
  DOCKHAND_REDELIVER_MAX_PER_RUN: z.coerce.number().int().min(1).max(1000).default(100),
  DOCKHAND_REDELIVER_MAX_PER_DELIVERY: z.coerce.number().int().min(1).max(10).default(3),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "must be a redis:// or rediss:// URL")
    .optional(),
  DOCKHAND_STATE_KEY: z
    .string()
    .min(32, "must be at least 32 characters, e.g. the output of `openssl rand -hex 32`")
    .optional(),
  WEBHOOK_SECRET: z.string().min(1).optional(),
  // Probot's own, checked here too so that a typo stops the start in one line rather than a stack.
  PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  LOG_LEVEL: z
    .enum(
      ["trace", "debug", "info", "warn", "error", "fatal", "silent"],
      "must be trace, debug, info, warn, error, fatal or silent",
    )
    .optional(),
  LOG_FORMAT: z.enum(["json", "pretty"], "must be json or pretty").optional(),
});

export class SettingsError extends Error {}

/** Examples for the settings whose default is not one (or that have none). */
const EXAMPLES: Partial<Record<keyof typeof environment.shape, string>> = {
  DOCKHAND_REGISTRIES: "ghcr.io,registry.example.com:5000",
  DOCKHAND_REGISTRY_CREDENTIALS: `'{"ghcr.io":"my-bot:ghp_…"}'`,
  DOCKHAND_CONTAINER_REGISTRY: "containers.github.example.com",
  DOCKHAND_SWEEP: "off",
  DOCKHAND_REDELIVER: "off",
  REDIS_URL: "redis://redis:6379",
  DOCKHAND_PACKAGES_TOKEN: "ghp_…",
  WEBHOOK_SECRET: "$(openssl rand -hex 32)",
  PORT: "3000",
  LOG_LEVEL: "info",
  LOG_FORMAT: "json",
};

/**
 * One problem as an operator fixes it: the variable, what it must be, an example. The value itself is
 * never repeated (it may be a credential).
 */
function describeProblem(issue: z.core.$ZodIssue): string {
  const name = String(issue.path[0]) as keyof typeof environment.shape;
  let field: z.core.$ZodType | undefined = environment.shape[name];
  let example = EXAMPLES[name];
  // Through `.default()` and `.optional()` to the rule itself; a default is the example.
  for (;;) {
    const def = field?._zod.def as { type?: string; innerType?: z.core.$ZodType; defaultValue?: unknown } | undefined;
    if (!def?.innerType) break;
    if (def.type === "default" && example === undefined && typeof def.defaultValue !== "object")
      example = String(def.defaultValue);
    field = def.innerType;
  }
  let rule = issue.message;
  if (field instanceof z.ZodNumber) {
    const unit = name.endsWith("_MS") ? " (milliseconds)" : "";
    rule = `must be a whole number from ${field.minValue ?? 0} to ${field.maxValue ?? "any"}${unit}`;
  } else if (issue.code === "too_small" && issue.minimum === 1) {
    rule = "must not be empty";
  }
  return /e\.g\./.test(rule) || example === undefined
    ? `${name}: ${rule}`
    : `${name}: ${rule}, e.g. ${name}=${example}`;
}

export function readSettings(env: Record<string, string | undefined> = process.env): Settings {
  const result = environment.safeParse(env);
  if (!result.success) {
    const problems = [...new Set(result.error.issues.map(describeProblem))];
    throw new SettingsError(`${problems.join("; ")} (see README.md#environment)`);
  }
  return {
    registries: result.data.DOCKHAND_REGISTRIES,
    registryCredentials: result.data.DOCKHAND_REGISTRY_CREDENTIALS,
    registryTimeoutMs: result.data.DOCKHAND_REGISTRY_TIMEOUT_MS,
    githubTimeoutMs: result.data.DOCKHAND_GITHUB_TIMEOUT_MS,
    githubWriteIntervalMs: result.data.DOCKHAND_GITHUB_WRITE_INTERVAL_MS,
    packagesTokens: { byOwner: result.data.DOCKHAND_PACKAGES_TOKENS, fallback: result.data.DOCKHAND_PACKAGES_TOKEN },
    containerRegistry: result.data.DOCKHAND_CONTAINER_REGISTRY,
    pruneWriteIntervalMs: result.data.DOCKHAND_PRUNE_WRITE_INTERVAL_MS,
    manifestCacheBytes: result.data.DOCKHAND_MANIFEST_CACHE_MB * 1024 * 1024,
    webhookReadBytes: result.data.DOCKHAND_WEBHOOK_READ_MB * 1024 * 1024,
    concurrency: { jobs: result.data.DOCKHAND_JOB_CONCURRENCY, prune: result.data.DOCKHAND_PRUNE_CONCURRENCY },
    shutdownTimeoutMs: result.data.DOCKHAND_SHUTDOWN_TIMEOUT_MS,
    sweep: result.data.DOCKHAND_SWEEP === "on",
    redeliver: {
      enabled: result.data.DOCKHAND_REDELIVER === "on",
      intervalMs: result.data.DOCKHAND_REDELIVER_INTERVAL_MS,
      lookbackMs: result.data.DOCKHAND_REDELIVER_LOOKBACK_MS,
      maxPerRun: result.data.DOCKHAND_REDELIVER_MAX_PER_RUN,
      maxPerDelivery: result.data.DOCKHAND_REDELIVER_MAX_PER_DELIVERY,
    },
    redisUrl: result.data.REDIS_URL,
    // Every replica derives the same key; without any secret (development only: see main.ts) Probot's own default.
    stateSecret: result.data.DOCKHAND_STATE_KEY ?? result.data.WEBHOOK_SECRET ?? "development",
  };
}
