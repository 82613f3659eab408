import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { followExtends, type ConfigFetcher, type LoadedConfig } from "./load-config.js";
import { CONFIG_MAX_BYTES, tooLarge } from "./parse-config-yaml.js";

/**
 * A config file on disk (for the CLI), checked like the one Dockhand reads from a repository, within the
 * same bounds: at most one byte past the limit is read, whatever the file is. Its `_extends` is followed
 * through `bases` (a command with a GitHub token), as the app follows it; offline, `unfollowed` names it.
 */
export async function readConfigFile(
  path: string,
  bases?: { owner: string; fetch: ConfigFetcher },
): Promise<LoadedConfig> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path, { end: CONFIG_MAX_BYTES })) {
      chunks.push(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (error) {
    return {
      ok: false,
      problems: [
        { key: "(file)", message: `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}` },
      ],
      files: [],
    };
  }
  if (bytes > CONFIG_MAX_BYTES) {
    const size = await stat(path).then(
      (s) => (s.size > CONFIG_MAX_BYTES ? s.size : undefined),
      () => undefined,
    );
    return { ok: false, problems: [{ key: "(file)", message: tooLarge(path, size) }], files: [path] };
  }
  return followExtends(
    { label: path, fetched: { found: true, text: Buffer.concat(chunks).toString("utf8") } },
    bases?.owner ?? "",
    bases?.fetch,
  );
}
