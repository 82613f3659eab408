// Runs every test file under test/ with Node's test runner, TypeScript loaded through tsx.
// Node 20's runner does not expand globs, so the files are listed here.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "support" ? [] : find(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = find("test").filter((file) => filters.length === 0 || filters.some((f) => file.includes(f))).sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
// A test that hangs fails after five minutes instead of holding CI forever.
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-timeout=300000", "--test-reporter=spec", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
