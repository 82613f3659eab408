import { readConfigFile } from "../config/read-config-file.js";
import { compileRules, type RuleSet } from "../retry/rule-set.js";

/** The rules a CLI command classifies with: a config file's `retry.rules` first, extra known registries. */
export async function cliRules(
  configPath: string | undefined,
  registries: string[],
): Promise<{ rules: RuleSet } | { error: string }> {
  if (!configPath) return { rules: compileRules([], registries) };
  const parsed = await readConfigFile(configPath);
  if (!parsed.ok)
    return { error: `${configPath} is invalid:\n${parsed.problems.map((p) => `  ${p.key}: ${p.message}\n`).join("")}` };
  return { rules: compileRules(parsed.config.retry.rules, registries) };
}
