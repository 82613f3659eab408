#!/usr/bin/env node
import { classifyCommand } from "./classify-command.js";
import type { CliIo } from "./cli-io.js";
import { corpusCommand } from "./corpus-command.js";
import { planCommand } from "./plan-command.js";
import { pruneCommand } from "./prune-command.js";
import { restoreCommand } from "./restore-command.js";

const USAGE = `Usage: dockhand <command> [options]

Commands:
  classify FILE      classify a job log as a transient, permanent or unrelated registry failure
  corpus score FILE  precision and recall of the classifier on labelled JSON Lines files
  plan               plan a prune offline from a package's versions and manifests
  prune              prune a container package now (or --dry-run)
  restore            restore deleted package versions by id

Run dockhand <command> --help for a command's options.
`;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  classify: classifyCommand,
  corpus: corpusCommand,
  plan: planCommand,
  prune: (argv, io) => pruneCommand(argv, io),
  restore: (argv, io) => restoreCommand(argv, io),
};

async function main(argv: string[]): Promise<number> {
  const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`dockhand: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    // parseArgs reports unknown or malformed options by throwing.
    io.stderr.write(`dockhand ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
