// Runs every test file under test/ with Node's test runner, TypeScript loaded through tsx.
// Node 20's runner does not expand globs, so the files are listed here.
import { spawnSync } from "node:child_process";
import { accessSync, constants, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";

// The real servers the tests start (test/support/local-*.ts): an OCI registry, skopeo to push images to
// it, and Redis. Without them the tests would fail one by one for minutes; instead they are installed
// here as .ci/run installs them (Debian, as root), or the run stops at once saying how to get them.
const NEEDED = [
  { command: process.env.DOCKHAND_TEST_REGISTRY_BIN ?? "docker-registry", pkg: "docker-registry" },
  { command: "skopeo", pkg: "skopeo" },
  { command: "redis-server", pkg: "redis-server" },
];

function onPath(command) {
  const executable = (path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (command.includes("/")) return executable(command);
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir && executable(join(dir, command)));
}

function provideServers() {
  let missing = NEEDED.filter(({ command }) => !onPath(command)).map(({ pkg }) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() === 0 && onPath("apt-get")) {
    console.error(`npm test: installing ${missing.join(", ")} (Debian packages the tests start)`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const quiet = { stdio: ["ignore", "ignore", "inherit"], env };
    if (spawnSync("apt-get", ["update", "-qq"], quiet).status === 0) {
      spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], quiet);
    }
    missing = NEEDED.filter(({ command }) => !onPath(command)).map(({ pkg }) => pkg);
    if (missing.length === 0) return;
  }
  console.error(
    `npm test needs ${missing.join(", ")} (Debian/Ubuntu packages the tests start); install them with: sudo apt-get install ${NEEDED.map(({ pkg }) => pkg).join(" ")}`,
  );
  process.exit(1);
}

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "support" ? [] : find(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = find("test")
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
provideServers();
// A test that hangs fails after five minutes instead of holding CI forever.
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-timeout=300000", "--test-reporter=spec", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
