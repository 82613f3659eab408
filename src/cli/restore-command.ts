import { parseArgs } from "node:util";
import { statusOf } from "../github/octokit.js";
import { ownerKind, restoreVersion } from "../prune/packages-api.js";
import { cliOctokit } from "./github-client.js";
import type { CliIo } from "./cli-io.js";

export const RESTORE_USAGE = `Usage: dockhand restore --owner OWNER --package NAME --ids ID[,ID…]

Restores deleted package versions (GitHub keeps them for 30 days). The PR comment lists the ids of
what Dockhand pruned. Environment: DOCKHAND_PACKAGES_TOKEN (write:packages) or GITHUB_TOKEN.
`;

export async function restoreCommand(
  argv: string[],
  io: CliIo,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      owner: { type: "string" },
      package: { type: "string" },
      ids: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout.write(RESTORE_USAGE);
    return 0;
  }
  const ids = (values.ids ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  if (!values.owner || !values.package || ids.length === 0 || ids.some((id) => !/^\d+$/.test(id))) {
    io.stderr.write(
      `dockhand restore: give --owner, --package and --ids as numbers separated by commas\n\n${RESTORE_USAGE}`,
    );
    return 2;
  }
  const client = cliOctokit(env);
  if ("error" in client) {
    io.stderr.write(`dockhand restore: ${client.error}\n`);
    return 2;
  }
  const pkg = { owner: values.owner, ownerKind: await ownerKind(client.octokit, values.owner), name: values.package };
  let failed = 0;
  for (const id of ids) {
    try {
      await restoreVersion(client.octokit, pkg, Number(id));
      io.stdout.write(`restored ${id}\n`);
    } catch (error) {
      failed += 1;
      const status = statusOf(error);
      const hint = status === 404 ? " (not deleted, deleted over 30 days ago, or its tag was reused)" : "";
      io.stdout.write(`could not restore ${id}: HTTP ${status ?? "error"}${hint}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
