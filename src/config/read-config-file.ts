import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { parseConfig, type ParsedConfig } from "./parse-config.js";
import { CONFIG_MAX_BYTES, parseConfigYaml, tooLarge } from "./parse-config-yaml.js";

/**
 * A config file on disk (for the CLI), checked like the one Dockhand reads from a repository, within the
 * same bounds: at most one byte past the limit is read, whatever the file is.
 */
export async function readConfigFile(path: string): Promise<ParsedConfig> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path, { end: CONFIG_MAX_BYTES })) {
      chunks.push(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (error) {
    return { ok: false, problems: [{ key: "(file)", message: `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  if (bytes > CONFIG_MAX_BYTES) {
    const size = await stat(path).then((s) => (s.size > CONFIG_MAX_BYTES ? s.size : undefined), () => undefined);
    return { ok: false, problems: [{ key: "(file)", message: tooLarge(path, size) }] };
  }
  const parsed = parseConfigYaml(Buffer.concat(chunks).toString("utf8"), path);
  return parsed.ok ? parseConfig(parsed.value) : parsed;
}
