import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

/**
 * `npm test` on a machine without the three servers the tests start: installed as .ci/run installs
 * them (root, apt-get), or one line saying what to install, at once (it used to run five minutes and
 * end in stack traces). Run with a PATH of only `node` (and a stand-in apt-get), on a cheap test file.
 */
function pathWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-path-"));
  symlinkSync(process.execPath, join(dir, "node"));
  for (const [name, script] of Object.entries(files)) {
    writeFileSync(join(dir, name), script);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

function runTests(path: string) {
  const started = Date.now();
  const result = spawnSync(process.execPath, ["scripts/run-tests.mjs", "package-engines"], {
    env: { PATH: path },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { ...result, ms: Date.now() - started };
}

describe("scripts/run-tests.mjs on a fresh machine", () => {
  it("stops within seconds with one line naming the packages and the command, when it cannot install them", () => {
    const result = runTests(pathWith({}));
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      "npm test needs docker-registry, skopeo, redis-server (Debian/Ubuntu packages the tests start); install them with: sudo apt-get install docker-registry skopeo redis-server\n",
    );
    assert.equal(result.stdout, "");
    assert.ok(result.ms < 5000, `took ${result.ms} ms`);
  });

  it(
    "installs them with apt-get as root, as .ci/run does, then runs the tests",
    { skip: process.getuid?.() !== 0 && "needs root" },
    () => {
      const dir = mkdtempSync(join(tmpdir(), "dockhand-apt-"));
      const log = join(dir, "apt.log");
      // A stand-in apt-get: records its arguments; `install` puts the packages' commands on the PATH.
      const path = pathWith({
        "apt-get": `#!/bin/sh\necho "$*" >> ${log}\nhere=$(/usr/bin/dirname "$0")\n[ "$1" = install ] && for c in docker-registry skopeo redis-server; do printf '#!/bin/sh\\n' > "$here/$c"; /bin/chmod 755 "$here/$c"; done\nexit 0\n`,
      });
      const result = runTests(path);
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(readFileSync(log, "utf8").trim().split("\n"), [
        "update -qq",
        "install -y -qq --no-install-recommends docker-registry skopeo redis-server",
      ]);
      assert.match(result.stderr, /^npm test: installing docker-registry, skopeo, redis-server/);
      assert.match(result.stdout, /pass 2/);
    },
  );
});
