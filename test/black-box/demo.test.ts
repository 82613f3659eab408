import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

describe("npm run demo", () => {
  it("shows the report, a re-run and a prune, with every request matching GitHub's description", () => {
    const result = spawnSync("npm", ["run", "--silent", "demo"], {
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, LOG_LEVEL: "silent" },
    });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /1\. CI built PR #7 and pushed 127\.0\.0\.1:\d+\/octo-org\/app:pr-7/);
    assert.match(result.stdout, /✅ verified: `linux\/amd64`, `linux\/arm64`/);
    assert.match(result.stdout, /re-ran the failed jobs \(run 501, attempt 2\)/);
    assert.match(result.stdout, /deleted versions 11 and 12 .* kept 13 and 14/);
    assert.match(result.stdout, /dockhand restore --owner octo-org --package app --ids 12,11/);
    assert.match(result.stdout, /every one matched GitHub's OpenAPI description: yes/);
  });
});
