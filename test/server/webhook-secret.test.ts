import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SettingsError } from "../../src/settings.js";
import { webhookSecret } from "../../src/server/webhook-secret.js";

describe("webhookSecret", () => {
  it("takes the configured secret", () => {
    assert.deepEqual(webhookSecret({ WEBHOOK_SECRET: "s3cret", NODE_ENV: "production" }), { secret: "s3cret" });
    assert.deepEqual(webhookSecret({ WEBHOOK_SECRET: "s3cret" }), { secret: "s3cret" });
  });

  it("refuses production without one, or with Probot's published default", () => {
    assert.throws(
      () => webhookSecret({ NODE_ENV: "production" }),
      (error: unknown) =>
        error instanceof SettingsError && /^WEBHOOK_SECRET is not set;.*NODE_ENV=production/.test(error.message),
    );
    assert.throws(() => webhookSecret({ NODE_ENV: "production", WEBHOOK_SECRET: "" }), SettingsError);
    assert.throws(
      () => webhookSecret({ NODE_ENV: "production", WEBHOOK_SECRET: "development" }),
      /WEBHOOK_SECRET is "development", Probot's published default, refused/,
    );
  });

  it("falls back to the default elsewhere, with a warning", () => {
    for (const env of [{}, { WEBHOOK_SECRET: "development" }, { NODE_ENV: "test" }]) {
      const { secret, warning } = webhookSecret(env);
      assert.equal(secret, "development");
      assert.match(warning ?? "", /anyone can forge/);
    }
  });
});
