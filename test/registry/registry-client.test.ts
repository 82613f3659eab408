import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
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
    assert.deepEqual(result, {
      status: "found",
      digest,
      mediaType: "application/vnd.oci.image.index.v1+json",
      platforms: ["linux/amd64", "linux/arm64/v8"],
      attestations: 0,
    });
  });

  it("says a tag the registry does not have is missing", async () => {
    const client = new RegistryClient({ allowList: [registry.host] });
    assert.deepEqual(await client.lookup({ host: registry.host, path: "octo-org/app", tag: "pr-8" }), {
      status: "missing",
    });
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
    const record = (server: string, req: IncomingMessage) =>
      seen.push({ server, url: req.url ?? "", authorization: req.headers.authorization });
    registryServer = createServer((req, res) => {
      record("registry", req);
      if (req.url?.startsWith("/token")) {
        const ok = req.headers.authorization === `Basic ${Buffer.from("bot:s3cret").toString("base64")}`;
        res
          .writeHead(ok ? 200 : 401, { "content-type": "application/json" })
          .end(ok ? JSON.stringify({ token: "T0K" }) : "{}");
        return;
      }
      if (req.headers.authorization !== "Bearer T0K") {
        res
          .writeHead(401, {
            "www-authenticate": `Bearer realm="http://${realmHost}/token",service="test",scope="repository:private/app:pull"`,
          })
          .end();
        return;
      }
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {},
        layers: [],
      });
      res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end(body);
    });
    elsewhere = createServer((req, res) => {
      record("elsewhere", req);
      res.writeHead(200).end("{}");
    });
    await Promise.all(
      [registryServer, elsewhere].map((s) => new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))),
    );
    registryHost = `127.0.0.1:${(registryServer.address() as AddressInfo).port}`;
    elsewhereHost = `127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
  });
  after(() => Promise.all([registryServer, elsewhere].map((s) => new Promise((resolve) => s.close(resolve)))));

  it("never contacts a host that is not on the allow-list", async () => {
    const calls: string[] = [];
    const client = new RegistryClient({
      allowList: ["ghcr.io"],
      fetch: (async (url: string) => {
        calls.push(url);
        throw new Error("no");
      }) as typeof fetch,
    });
    assert.deepEqual(await client.lookup({ host: "evil.example", path: "x/y", tag: "t" }), { status: "not-allowed" });
    assert.deepEqual(calls, []);
  });

  it("does the bearer-token dance with a configured credential", async () => {
    realmHost = registryHost;
    seen.length = 0;
    const client = new RegistryClient({
      allowList: [registryHost],
      credentials: { [registryHost]: { username: "bot", password: "s3cret" } },
    });
    const result = await client.lookup({ host: registryHost, path: "private/app", tag: "v1" });
    assert.equal(result.status, "found");
    assert.deepEqual(
      seen.map((s) => s.url),
      [
        "/v2/private/app/manifests/v1",
        "/token?service=test&scope=repository%3Aprivate%2Fapp%3Apull",
        "/v2/private/app/manifests/v1",
      ],
    );
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
    assert.deepEqual(await client.lookup({ host, path: "a/b", tag: "c" }), {
      status: "unreachable",
      reason: "ECONNREFUSED",
    });
  });
});

/** A server whose every answer is decided by the test; records what it was sent and how many bytes it wrote. */
async function answering(handle: (req: IncomingMessage, res: ServerResponse, sent: { bytes: number }) => void) {
  const seen: { url: string; authorization?: string }[] = [];
  const sent = { bytes: 0 };
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", authorization: req.headers.authorization });
    handle(req, res, sent);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    sent,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** Writes `total` bytes of a valid (huge) JSON manifest with backpressure, stopping when the client goes away. */
function streamHugeManifest(
  res: ServerResponse,
  total: number,
  sent: { bytes: number },
  headers: Record<string, string> = {},
) {
  const head = Buffer.from(
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","annotations":{"x":"',
  );
  const tail = Buffer.from('"}}');
  const filler = Buffer.alloc(64 * 1024, "a");
  res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", ...headers });
  let written = 0;
  const pump = () => {
    while (!res.destroyed) {
      const chunk = written === 0 ? head : written + filler.length + tail.length >= total ? tail : filler;
      written += chunk.length;
      sent.bytes += chunk.length;
      if (chunk === tail) return void res.end(chunk);
      if (!res.write(chunk)) return void res.once("drain", pump);
    }
  };
  res.on("close", () => res.destroy());
  pump();
}

describe("RegistryClient reads within limits", () => {
  const MiB = 1024 * 1024;

  it("refuses a manifest larger than 4 MiB as a check result, without downloading the rest", async () => {
    // 64 MiB is enough to show the bound; bench/bounded-reads.ts runs the 400 MB case.
    const server = await answering((_req, res, sent) => streamHugeManifest(res, 64 * MiB, sent));
    try {
      const client = new RegistryClient({ allowList: [server.host], timeoutMs: 30_000 });
      const result = await client.lookup({ host: server.host, path: "octo-org/app", tag: "huge" });
      assert.deepEqual(result, { status: "unreachable", reason: "manifest larger than 4 MiB" });
      await new Promise((resolve) => setTimeout(resolve, 50));
      // What the socket buffers held when the client stopped reading, not the 64 MiB.
      assert.ok(server.sent.bytes < 24 * MiB, `server wrote ${server.sent.bytes} bytes`);
    } finally {
      await server.close();
    }
  });

  it("refuses a declared length over 4 MiB before reading a byte of it", async () => {
    const server = await answering((_req, res, sent) =>
      streamHugeManifest(res, 400 * 1000 * 1000, sent, { "content-length": String(400 * 1000 * 1000) }),
    );
    try {
      const client = new RegistryClient({ allowList: [server.host] });
      const digest = `sha256:${"a".repeat(64)}`;
      assert.deepEqual(await client.readManifest(server.host, "octo-org/app", digest), {
        ok: false,
        reason: "manifest larger than 4 MiB",
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(server.sent.bytes < 24 * MiB, `server wrote ${server.sent.bytes} bytes`);
    } finally {
      await server.close();
    }
  });

  it("still reads a manifest of exactly 4 MiB, digest-verified", async () => {
    let body = Buffer.alloc(0);
    const server = await answering((_req, res) =>
      res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end(body),
    );
    try {
      const head = '{"schemaVersion":2,"annotations":{"x":"';
      body = Buffer.from(`${head}${"a".repeat(4 * MiB - head.length - 3)}"}}`);
      assert.equal(body.length, 4 * MiB);
      const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
      const client = new RegistryClient({ allowList: [server.host] });
      const read = await client.readManifest(server.host, "octo-org/app", digest);
      assert.equal(read.ok, true);
      const other = `sha256:${"b".repeat(64)}`;
      assert.deepEqual(await client.readManifest(server.host, "octo-org/app", other), {
        ok: false,
        reason: "the content does not match its digest",
      });
    } finally {
      await server.close();
    }
  });

  it("refuses a tag whose bytes do not match the digest the registry announced", async () => {
    const server = await answering((_req, res) =>
      res
        .writeHead(200, {
          "content-type": "application/vnd.oci.image.index.v1+json",
          "docker-content-digest": `sha256:${"c".repeat(64)}`,
        })
        .end('{"schemaVersion":2,"manifests":[]}'),
    );
    try {
      const client = new RegistryClient({ allowList: [server.host] });
      assert.deepEqual(await client.lookup({ host: server.host, path: "octo-org/app", tag: "t" }), {
        status: "unreachable",
        reason: "the content does not match its digest",
      });
    } finally {
      await server.close();
    }
  });

  it("refuses a token answer larger than 64 KiB", async () => {
    const server = await answering((req, res, sent) => {
      if (req.url?.startsWith("/token")) {
        const token = JSON.stringify({ token: "t".repeat(8 * MiB) });
        sent.bytes += token.length;
        res.writeHead(200, { "content-type": "application/json" }).end(token);
        return;
      }
      res
        .writeHead(401, { "www-authenticate": `Bearer realm="http://${req.headers.host}/token",service="test"` })
        .end();
    });
    try {
      const client = new RegistryClient({ allowList: [server.host] });
      assert.deepEqual(await client.lookup({ host: server.host, path: "octo-org/app", tag: "t" }), {
        status: "unreachable",
        reason: "token answer larger than 64 KiB",
      });
      assert.equal(
        server.seen.length,
        2,
        "the manifest request and the token request; no second manifest request without a token",
      );
    } finally {
      await server.close();
    }
  });
});

describe("RegistryClient sends a host's credentials to that host only", () => {
  const basic = `Basic ${Buffer.from("bot:s3cret").toString("base64")}`;

  /** Registry A challenges with a realm on `realmHost`; both hand out tokens, A accepts the token B issued. */
  async function setup(realmScheme = "http") {
    const realm = await answering((req, res) =>
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ token: req.headers.authorization ? "WITH-CREDENTIALS" : "ANONYMOUS" })),
    );
    const registry = await answering((req, res) => {
      if (req.url?.startsWith("/token")) {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ token: req.headers.authorization === basic ? "WITH-CREDENTIALS" : "ANONYMOUS" }));
        return;
      }
      if (!req.headers.authorization?.startsWith("Bearer ")) {
        res
          .writeHead(401, { "www-authenticate": `Bearer realm="${realmScheme}://${realmHostOf()}/token",service="a"` })
          .end();
        return;
      }
      res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end('{"schemaVersion":2}');
    });
    let realmHost = realm.host;
    const realmHostOf = () => realmHost;
    return {
      realm,
      registry,
      useOwnRealm: () => void (realmHost = registry.host),
      close: () => Promise.all([realm.close(), registry.close()]),
    };
  }

  it("asks an allow-listed realm on another host anonymously, never with the registry's basic auth", async () => {
    const { realm, registry, close } = await setup();
    try {
      const client = new RegistryClient({
        allowList: [registry.host, realm.host],
        credentials: { [registry.host]: { username: "bot", password: "s3cret" } },
      });
      const result = await client.lookup({ host: registry.host, path: "private/app", tag: "v1" });
      assert.equal(result.status, "found");
      assert.deepEqual(
        realm.seen.map((s) => s.authorization),
        [undefined],
        "the other host got one request, without credentials",
      );
      assert.equal(registry.seen.at(-1)?.authorization, "Bearer ANONYMOUS");
      assert.ok(
        registry.seen.every((s) => s.authorization !== basic),
        "the registry never sees its basic auth outside its own realm either",
      );
    } finally {
      await close();
    }
  });

  it("sends the credentials to a realm on the registry's own origin", async () => {
    const { realm, registry, useOwnRealm, close } = await setup();
    try {
      useOwnRealm();
      const client = new RegistryClient({
        allowList: [registry.host, realm.host],
        credentials: { [registry.host]: { username: "bot", password: "s3cret" } },
      });
      assert.equal((await client.lookup({ host: registry.host, path: "private/app", tag: "v1" })).status, "found");
      assert.equal(realm.seen.length, 0);
      assert.equal(registry.seen.find((s) => s.url.startsWith("/token"))?.authorization, basic);
      assert.equal(registry.seen.at(-1)?.authorization, "Bearer WITH-CREDENTIALS");
    } finally {
      await close();
    }
  });

  it("sends nothing at all to a realm whose host is not allow-listed", async () => {
    const { realm, registry, close } = await setup();
    try {
      const client = new RegistryClient({
        allowList: [registry.host],
        credentials: { [registry.host]: { username: "bot", password: "s3cret" } },
      });
      const result = await client.lookup({ host: registry.host, path: "private/app", tag: "v1" });
      assert.deepEqual(result, {
        status: "unreachable",
        reason: `token realm ${realm.host} is not on the registry allow-list`,
      });
      assert.equal(realm.seen.length, 0);
    } finally {
      await close();
    }
  });

  it("over HTTPS, refuses a plain-HTTP realm and keeps credentials on the registry's origin", async () => {
    // An HTTPS registry needs a certificate; a recording fetch stands in for the network here.
    const calls: { url: string; authorization?: string }[] = [];
    const answers: Record<string, (headers: Record<string, string>) => Response> = {
      "https://registry.example/v2/private/app/manifests/v1": (headers) =>
        headers.authorization?.startsWith("Bearer ")
          ? new Response('{"schemaVersion":2}', { status: 200 })
          : new Response(null, {
              status: 401,
              headers: { "www-authenticate": `Bearer realm="${realmUrl}",service="r"` },
            }),
    };
    let realmUrl = "";
    const fetchStub = (async (url: string, init: { headers: Record<string, string> }) => {
      calls.push({ url, authorization: init.headers.authorization });
      const exact = answers[url];
      if (exact) return exact(init.headers);
      if (url.includes("/token")) return new Response(JSON.stringify({ token: "T" }), { status: 200 });
      throw new Error(`unexpected ${url}`);
    }) as unknown as typeof fetch;
    const credentials = { "registry.example": { username: "bot", password: "s3cret" } };
    const allowList = ["registry.example", "auth.example"];
    const lookup = async (realm: string) => {
      realmUrl = realm;
      calls.length = 0;
      const client = new RegistryClient({ allowList, credentials, fetch: fetchStub });
      return client.lookup({ host: "registry.example", path: "private/app", tag: "v1" });
    };

    assert.deepEqual(await lookup("http://registry.example/token"), {
      status: "unreachable",
      reason: "token realm registry.example is not HTTPS",
    });
    assert.equal(calls.length, 1, "no request to a plain-HTTP realm");
    assert.deepEqual(await lookup("http://auth.example/token"), {
      status: "unreachable",
      reason: "token realm auth.example is not HTTPS",
    });
    assert.equal(calls.length, 1);

    assert.equal((await lookup("https://auth.example/token")).status, "found");
    assert.deepEqual(
      calls.map((c) => [new URL(c.url).host, c.authorization]),
      [
        ["registry.example", undefined],
        ["auth.example", undefined],
        ["registry.example", "Bearer T"],
      ],
    );

    assert.equal((await lookup("https://registry.example/token")).status, "found");
    assert.equal(calls[1]?.authorization, basic);
    // Same host, other port: another origin.
    assert.equal(
      (await lookup("https://registry.example:8443/token")).status,
      "unreachable",
      "registry.example:8443 is not on the allow-list",
    );
  });
});
