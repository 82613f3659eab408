import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse } from "yaml";

/**
 * What ../shared/tools/image-check.sh checks by building and running the image (podman; minutes), held
 * here on the files themselves so that CI catches a regression at once.
 */
const dockerfile = readFileSync("Dockerfile", "utf8");
const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));

describe("Dockerfile", () => {
  it("names no # syntax= image (Docker's builder would fetch it for nothing)", () => {
    assert.doesNotMatch(dockerfile, /^#\s*syntax\s*=/im);
  });

  it("applies patches/ (patch-package) in the build", () => {
    assert.match(dockerfile, /COPY patches \.\/patches/);
    assert.match(dockerfile, /npm run postinstall/);
  });

  it("leaves the app's files to root, runs as node, and lets it write only .env (the setup flow's)", () => {
    assert.doesNotMatch(runtime, /--chown/);
    assert.match(runtime, /^USER node$/m);
    assert.match(runtime, /install -o node -g node -m 600 \/dev\/null \.env/);
  });

  it("checks health on /ping, which the setup flow serves too", () => {
    assert.match(runtime, /HEALTHCHECK[\s\S]*\/ping`/);
  });
});

describe("docs/compose.yml", () => {
  const compose = parse(readFileSync("docs/compose.yml", "utf8"), { merge: true }) as {
    services: Record<
      string,
      { build?: string; env_file?: string; environment?: Record<string, string>; image?: string }
    >;
  };
  const replicas = Object.values(compose.services).filter((service) => service.build);

  it("runs two replicas of this repository's image on one Redis", () => {
    assert.equal(replicas.length, 2);
    for (const replica of replicas) {
      assert.equal(replica.build, "..", "the repository's root, relative to docs/");
      assert.equal(replica.environment?.REDIS_URL, "redis://redis:6379");
    }
    assert.match(compose.services.redis?.image ?? "", /^redis:/);
  });

  it("reads .env from where its comment says", () => {
    assert.match(readFileSync("docs/compose.yml", "utf8"), /\.env at the repository's root/);
    for (const replica of replicas) assert.equal(replica.env_file, "../.env");
  });
});
