import { Readable } from "node:stream";
import type { CliIo } from "../../src/cli/cli-io.js";

/** Runs a CLI command in-process with captured output. */
export async function runCli(
  command: (argv: string[], io: CliIo) => Promise<number>,
  argv: string[],
  stdin = "",
): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdin: Readable.from([stdin]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const status = await command(argv, io);
  return { status, stdout, stderr };
}
