import { SettingsError } from "../settings.js";

/** Probot's secret when WEBHOOK_SECRET is unset: published in its source, so anyone can sign with it. */
export const DEVELOPMENT_SECRET = "development";

/**
 * The webhook secret. In production (NODE_ENV=production) it must be set, and not to Probot's published
 * default; elsewhere a missing one falls back to that default, with a warning for the log.
 */
export function webhookSecret(env: Record<string, string | undefined>): { secret: string; warning?: string } {
  const secret = env.WEBHOOK_SECRET;
  if (env.NODE_ENV === "production") {
    if (!secret)
      throw new SettingsError(
        "WEBHOOK_SECRET is not set; it is required when NODE_ENV=production: set it to your GitHub App's webhook secret.",
      );
    if (secret === DEVELOPMENT_SECRET) {
      throw new SettingsError(
        `WEBHOOK_SECRET is "${DEVELOPMENT_SECRET}", Probot's published default, refused when NODE_ENV=production: set it to your GitHub App's webhook secret.`,
      );
    }
    return { secret };
  }
  if (!secret || secret === DEVELOPMENT_SECRET) {
    return {
      secret: DEVELOPMENT_SECRET,
      warning: `WEBHOOK_SECRET is ${secret ? `"${DEVELOPMENT_SECRET}"` : "not set"}: accepting deliveries signed with "${DEVELOPMENT_SECRET}", which anyone can forge. Set WEBHOOK_SECRET (required when NODE_ENV=production).`,
    };
  }
  return { secret };
}
