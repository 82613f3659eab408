import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { parseConfig, type ParsedConfig } from "./parse-config.js";

/** A config file on disk (for the CLI), checked like the one Dockhand reads from a repository. */
export async function readConfigFile(path: string): Promise<ParsedConfig> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(path, "utf8"));
  } catch (error) {
    return { ok: false, problems: [{ key: "(file)", message: `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  return parseConfig(raw);
}
