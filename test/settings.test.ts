import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deriveStateKey } from "../src/comment/seal-state.js";
import { readSettings } from "../src/settings.js";

describe("readSettings", () => {
  it("defaults to ghcr.io only, with no credentials", () => {
    assert.deepEqual(readSettings({}), {
      registries: ["ghcr.io"],
      registryCredentials: {},
      registryTimeoutMs: 5000,
      githubTimeoutMs: 30_000,
      githubWriteIntervalMs: 1000,
      packagesTokens: { byOwner: {}, fallback: undefined },
      containerRegistry: "ghcr.io",
      pruneWriteIntervalMs: 1000,
      manifestCacheBytes: 256 * 1024 * 1024,
      webhookReadBytes: 100 * 1024 * 1024,
      concurrency: { jobs: 4, prune: 2 },
      shutdownTimeoutMs: 25_000,
      sweep: true,
      redeliver: { enabled: true, intervalMs: 600_000, lookbackMs: 3 * 3600_000, maxPerRun: 100, maxPerDelivery: 3 },
      redisUrl: undefined,
      stateSecret: "development",
    });
  });

  it("seals comment states with DOCKHAND_STATE_KEY, else with the webhook secret", () => {
    assert.equal(readSettings({ WEBHOOK_SECRET: "s3cret" }).stateSecret, "s3cret");
    const own = "k".repeat(32);
    assert.equal(readSettings({ WEBHOOK_SECRET: "s3cret", DOCKHAND_STATE_KEY: own }).stateSecret, own);
    assert.notDeepEqual(deriveStateKey("s3cret"), deriveStateKey(own), "different secrets seal differently");
    assert.throws(
      () => readSettings({ DOCKHAND_STATE_KEY: "short-secret" }),
      (error: Error) => {
        assert.match(error.message, /DOCKHAND_STATE_KEY: must be at least 32 characters/);
        assert.doesNotMatch(error.message, /short-secret/);
        return true;
      },
    );
  });

  it("reads packages tokens per owner and for all owners, never echoing them", () => {
    const settings = readSettings({
      DOCKHAND_PACKAGES_TOKEN: "ghp_all",
      DOCKHAND_PACKAGES_TOKENS: '{"Octo-Org":"ghp_octo"}',
    });
    assert.deepEqual(settings.packagesTokens, { byOwner: { "octo-org": "ghp_octo" }, fallback: "ghp_all" });
    assert.throws(
      () => readSettings({ DOCKHAND_PACKAGES_TOKENS: "ghp_secret" }),
      (error: Error) => {
        assert.match(error.message, /DOCKHAND_PACKAGES_TOKENS: must be JSON/);
        assert.doesNotMatch(error.message, /ghp_secret/);
        return true;
      },
    );
  });

  it("parses the allow-list and credentials", () => {
    const settings = readSettings({
      DOCKHAND_REGISTRIES: "ghcr.io, 127.0.0.1:5000",
      DOCKHAND_REGISTRY_CREDENTIALS: '{"GHCR.io":"bot:pa:ss"}',
    });
    assert.deepEqual(settings.registries, ["ghcr.io", "127.0.0.1:5000"]);
    assert.deepEqual(settings.registryCredentials, { "ghcr.io": { username: "bot", password: "pa:ss" } });
  });

  it("names the variable and never echoes a secret", () => {
    assert.throws(
      () => readSettings({ DOCKHAND_REGISTRY_CREDENTIALS: "{not json ghp_secret" }),
      (error: Error) => {
        assert.match(error.message, /DOCKHAND_REGISTRY_CREDENTIALS: must be JSON/);
        assert.doesNotMatch(error.message, /ghp_secret/);
        return true;
      },
    );
    assert.throws(
      () => readSettings({ DOCKHAND_REGISTRY_CREDENTIALS: '{"ghcr.io":"ghp_secret"}' }),
      /username:password/,
    );
    assert.throws(
      () => readSettings({ DOCKHAND_REGISTRIES: "https://ghcr.io" }),
      /DOCKHAND_REGISTRIES.*host or host:port/,
    );
  });
});
