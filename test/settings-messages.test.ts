import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { readSettings } from "../src/settings.js";

/** What an operator reads when a setting is wrong: the variable, what it must be, an example; one line. */
function message(env: Record<string, string>): string {
  try {
    readSettings(env);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail(`${JSON.stringify(env)} was accepted`);
}

describe("settings errors", () => {
  it("name the variable, what it must be and an example", () => {
    assert.equal(
      message({ DOCKHAND_JOB_CONCURRENCY: "four" }),
      "DOCKHAND_JOB_CONCURRENCY: must be a whole number from 1 to 100, e.g. DOCKHAND_JOB_CONCURRENCY=4 (see README.md#environment)",
    );
    assert.match(
      message({ DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "-5" }),
      /^DOCKHAND_PRUNE_WRITE_INTERVAL_MS: must be a whole number from 0 to 60000 \(milliseconds\), e\.g\. DOCKHAND_PRUNE_WRITE_INTERVAL_MS=1000 /,
    );
    assert.match(
      message({ DOCKHAND_SWEEP: "maybe" }),
      /^DOCKHAND_SWEEP: must be on or off, e\.g\. DOCKHAND_SWEEP=off /,
    );
    assert.match(
      message({ REDIS_URL: "localhost:6379" }),
      /^REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL, e\.g\. REDIS_URL=redis:\/\/redis:6379 /,
    );
    assert.match(
      message({ DOCKHAND_WEBHOOK_READ_MB: "10" }),
      /^DOCKHAND_WEBHOOK_READ_MB: must be a whole number from 25 to 65536, e\.g\. DOCKHAND_WEBHOOK_READ_MB=100 /,
    );
    assert.match(message({ PORT: "http" }), /^PORT: must be a whole number from 0 to 65535, e\.g\. PORT=3000 /);
    assert.match(
      message({ LOG_LEVEL: "verbose" }),
      /^LOG_LEVEL: must be trace, debug, info, warn, error, fatal or silent, e\.g\. LOG_LEVEL=info /,
    );
    assert.match(
      message({ DOCKHAND_REGISTRY_CREDENTIALS: '{"ghcr.io":"token-only"}' }),
      /^DOCKHAND_REGISTRY_CREDENTIALS: each value must be "username:password", e\.g\. DOCKHAND_REGISTRY_CREDENTIALS='\{"ghcr\.io":"my-bot:ghp_…"\}' /,
    );
  });

  it("list every wrong variable on one line, never their values", () => {
    const text = message({ DOCKHAND_JOB_CONCURRENCY: "0", DOCKHAND_PACKAGES_TOKENS: "ghp_secret_value" });
    assert.equal(text.split("\n").length, 1);
    assert.match(text, /DOCKHAND_PACKAGES_TOKENS: must be JSON, .*; DOCKHAND_JOB_CONCURRENCY: must be a whole number/);
    assert.doesNotMatch(text, /ghp_secret_value/);
  });

  it("stop the app with that line on stderr, exit code 1 and no stack", () => {
    for (const [name, value] of [
      ["DOCKHAND_JOB_CONCURRENCY", "abc"],
      ["LOG_LEVEL", "loud"],
      ["PORT", "99999"],
    ] as const) {
      const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
        env: { PATH: process.env.PATH, [name]: value },
        encoding: "utf8",
        timeout: 20_000,
      });
      assert.equal(result.status, 1, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(`^dockhand: ${name}: must be .*, e\\.g\\. ${name}=\\S+ \\(see README\\.md#environment\\)\\n$`),
      );
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack");
    }
  });
});
