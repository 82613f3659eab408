import { readConfigFile } from "../config/read-config-file.js";
import { compileRules, type RuleSet } from "../retry/rule-set.js";

/** The options of every command that classifies, as parseArgs takes them, and their usage lines. */
export const RULE_OPTIONS = {
  config: { type: "string" },
  registry: { type: "string", multiple: true, default: [] as string[] },
} as const;
export const RULE_OPTIONS_USAGE = `  --config FILE      a .github/dockhand.yml whose retry.rules are checked first
  --registry HOST    another registry host to treat as known (repeatable)
`;

/**
 * The rules a CLI command classifies with: a config file's `retry.rules` first, extra known registries.
 * Offline, a base the file `_extends` is not read: `notice` says so, for the command to print.
 */
export async function cliRules(
  configPath: string | undefined,
  registries: string[],
): Promise<{ rules: RuleSet; notice?: string } | { error: string }> {
  if (!configPath) return { rules: compileRules([], registries) };
  const parsed = await readConfigFile(configPath);
  if (!parsed.ok) return { error: invalidConfig(configPath, parsed.problems) };
  return {
    rules: compileRules(parsed.config.retry.rules, registries),
    ...(parsed.unfollowed
      ? {
          notice: `${configPath} extends ${parsed.unfollowed}, which is not read offline: only this file's retry.rules are tried\n`,
        }
      : {}),
  };
}

/** A config file's problems as every command says them: one line each, ending with a newline. */
export function invalidConfig(path: string, problems: readonly { key: string; message: string }[]): string {
  return `${path} is invalid:\n${problems.map((p) => `  ${p.key}: ${p.message}\n`).join("")}`;
}
