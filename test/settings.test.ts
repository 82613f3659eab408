import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readSettings } from "../src/settings.js";

describe("readSettings", () => {
  it("defaults to ghcr.io only, with no credentials", () => {
    assert.deepEqual(readSettings({}), { registries: ["ghcr.io"], registryCredentials: {}, registryTimeoutMs: 5000 });
  });

  it("parses the allow-list and credentials", () => {
    const settings = readSettings({ DOCKHAND_REGISTRIES: "ghcr.io, 127.0.0.1:5000", DOCKHAND_REGISTRY_CREDENTIALS: '{"GHCR.io":"bot:pa:ss"}' });
    assert.deepEqual(settings.registries, ["ghcr.io", "127.0.0.1:5000"]);
    assert.deepEqual(settings.registryCredentials, { "ghcr.io": { username: "bot", password: "pa:ss" } });
  });

  it("names the variable and never echoes a secret", () => {
    assert.throws(() => readSettings({ DOCKHAND_REGISTRY_CREDENTIALS: "{not json ghp_secret" }), (error: Error) => {
      assert.match(error.message, /DOCKHAND_REGISTRY_CREDENTIALS: must be JSON/);
      assert.doesNotMatch(error.message, /ghp_secret/);
      return true;
    });
    assert.throws(() => readSettings({ DOCKHAND_REGISTRY_CREDENTIALS: '{"ghcr.io":"ghp_secret"}' }), /username:password/);
    assert.throws(() => readSettings({ DOCKHAND_REGISTRIES: "https://ghcr.io" }), /DOCKHAND_REGISTRIES.*host or host:port/);
  });
});
