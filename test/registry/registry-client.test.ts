import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { RegistryClient } from "../../src/registry/registry-client.js";
import { startLocalRegistry, type LocalRegistry } from "../support/local-registry.js";

describe("RegistryClient against a real registry", () => {
  let registry: LocalRegistry;
  let digest: string;
  before(async () => {
    registry = await startLocalRegistry();
    digest = await registry.push(`${registry.host}/octo-org/app:pr-7`, ["linux/amd64", "linux/arm64/v8"]);
  });
  after(() => registry.stop());

  it("resolves a multi-arch tag to its index digest and platforms", async () => {
    const client = new RegistryClient({ allowList: [registry.host] });
    const result = await client.lookup({ host: registry.host, path: "octo-org/app", tag: "pr-7" });
    assert.deepEqual(result, { status: "found", digest, mediaType: "application/vnd.oci.image.index.v1+json", platforms: ["linux/amd64", "linux/arm64/v8"], attestations: 0 });
  });

  it("says a tag the registry does not have is missing", async () => {
    const client = new RegistryClient({ allowList: [registry.host] });
    assert.deepEqual(await client.lookup({ host: registry.host, path: "octo-org/app", tag: "pr-8" }), { status: "missing" });
  });
});

describe("RegistryClient safety and auth", () => {
  const seen: { server: string; url: string; authorization?: string }[] = [];
  let registryServer: Server;
  let elsewhere: Server;
  let registryHost: string;
  let elsewhereHost: string;
  let realmHost = "";

  before(async () => {
    const record = (server: string, req: IncomingMessage) => seen.push({ server, url: req.url ?? "", authorization: req.headers.authorization });
    registryServer = createServer((req, res) => {
      record("registry", req);
      if (req.url?.startsWith("/token")) {
        const ok = req.headers.authorization === `Basic ${Buffer.from("bot:s3cret").toString("base64")}`;
        res.writeHead(ok ? 200 : 401, { "content-type": "application/json" }).end(ok ? JSON.stringify({ token: "T0K" }) : "{}");
        return;
      }
      if (req.headers.authorization !== "Bearer T0K") {
        res.writeHead(401, { "www-authenticate": `Bearer realm="http://${realmHost}/token",service="test",scope="repository:private/app:pull"` }).end();
        return;
      }
      const body = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: {}, layers: [] });
      res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end(body);
    });
    elsewhere = createServer((req, res) => {
      record("elsewhere", req);
      res.writeHead(200).end("{}");
    });
    await Promise.all([registryServer, elsewhere].map((s) => new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))));
    registryHost = `127.0.0.1:${(registryServer.address() as AddressInfo).port}`;
    elsewhereHost = `127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
  });
  after(() => Promise.all([registryServer, elsewhere].map((s) => new Promise((resolve) => s.close(resolve)))));

  it("never contacts a host that is not on the allow-list", async () => {
    const calls: string[] = [];
    const client = new RegistryClient({ allowList: ["ghcr.io"], fetch: (async (url: string) => { calls.push(url); throw new Error("no"); }) as typeof fetch });
    assert.deepEqual(await client.lookup({ host: "evil.example", path: "x/y", tag: "t" }), { status: "not-allowed" });
    assert.deepEqual(calls, []);
  });

  it("does the bearer-token dance with a configured credential", async () => {
    realmHost = registryHost;
    seen.length = 0;
    const client = new RegistryClient({ allowList: [registryHost], credentials: { [registryHost]: { username: "bot", password: "s3cret" } } });
    const result = await client.lookup({ host: registryHost, path: "private/app", tag: "v1" });
    assert.equal(result.status, "found");
    assert.deepEqual(seen.map((s) => s.url), ["/v2/private/app/manifests/v1", "/token?service=test&scope=repository%3Aprivate%2Fapp%3Apull", "/v2/private/app/manifests/v1"]);
    // The token is cached for the next lookup of the same repository.
    seen.length = 0;
    await client.lookup({ host: registryHost, path: "private/app", tag: "v1" });
    assert.equal(seen.length, 1);
  });

  it("refuses a token realm on a host that is not allow-listed", async () => {
    realmHost = elsewhereHost;
    seen.length = 0;
    const client = new RegistryClient({ allowList: [registryHost] });
    const result = await client.lookup({ host: registryHost, path: "private/app", tag: "v1" });
    assert.equal(result.status, "unreachable");
    assert.match(result.status === "unreachable" ? result.reason : "", /not on the registry allow-list/);
    assert.equal(seen.filter((s) => s.server === "elsewhere").length, 0);
  });

  it("reports a registry that does not answer as unreachable", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const client = new RegistryClient({ allowList: [host], timeoutMs: 1000 });
    assert.deepEqual(await client.lookup({ host, path: "a/b", tag: "c" }), { status: "unreachable", reason: "ECONNREFUSED" });
  });
});
