import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { copyFileSync, mkdtempSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, it } from "node:test";
import { freePort, waitFor } from "../support/net.js";
import { privateKey } from "../support/test-app.js";

/**
 * The first hour as an operator and a developer live it, on the real entry point: the image's first
 * start (NODE_ENV=production, no app yet) serves Probot's setup flow, and WEBHOOK_PROXY_URL brings
 * GitHub's deliveries to a machine GitHub cannot reach, as in any Probot app.
 */
const ROOT = resolve(".");
let children: ChildProcess[] = [];

function start(env: Record<string, string>, cwd = ROOT): { child: ChildProcess; output: () => string } {
  let output = "";
  const child = spawn(
    process.execPath,
    ["--import", join(ROOT, "node_modules/tsx/dist/esm/index.mjs"), join(ROOT, "src/main.ts")],
    {
      cwd,
      env: { PATH: process.env.PATH, HOST: "127.0.0.1", LOG_FORMAT: "json", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  children.push(child);
  return { child, output: () => output };
}

describe("black box: the first start", () => {
  afterEach(() => {
    for (const child of children) child.kill("SIGKILL");
    children = [];
  });

  it("serves the setup flow with NODE_ENV=production and no app yet, as the Docker image starts", async () => {
    // The image's working directory: the manifest and package.json, and nothing else of the repository.
    const cwd = mkdtempSync(join(tmpdir(), "dockhand-first-"));
    for (const file of ["app.yml", "package.json"]) copyFileSync(join(ROOT, file), join(cwd, file));
    const port = await freePort();
    const app = start({ NODE_ENV: "production", PORT: String(port) }, cwd);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ping`)).ok, 30_000).catch(() =>
      assert.fail(app.output()),
    );
    const page = await fetch(`http://127.0.0.1:${port}/probot`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Register GitHub App/);
    assert.doesNotMatch(app.output(), /required when NODE_ENV=production/);
  });

  it("forwards deliveries from WEBHOOK_PROXY_URL to the webhook path, signature checked", async () => {
    // A smee.io channel stand-in: server-sent events, each a delivery's headers and body.
    const streams: ServerResponse[] = [];
    const channel = createServer((_, response) => {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      response.write("event: ready\ndata: {}\n\n");
      streams.push(response);
    });
    await new Promise<void>((done) => channel.listen(0, "127.0.0.1", done));
    const source = `http://127.0.0.1:${(channel.address() as AddressInfo).port}/channel`;
    const port = await freePort();
    const secret = "proxy-secret";
    const app = start({
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: secret,
      PORT: String(port),
      WEBHOOK_PROXY_URL: source,
      DOCKHAND_SWEEP: "off",
      GHE_HOST: "127.0.0.1:9",
      GHE_PROTOCOL: "http",
    });
    try {
      await waitFor(async () => streams.length > 0, 30_000).catch(() => assert.fail(app.output()));
      const body = {
        zen: "Keep it logically awesome.",
        hook_id: 1,
        hook: { type: "App", id: 1, active: true, events: ["workflow_run"], config: {} },
      };
      const signature = `sha256=${createHmac("sha256", secret).update(JSON.stringify(body)).digest("hex")}`;
      const deliver = (sig: string, id: string) =>
        streams[0]!.write(
          `data: ${JSON.stringify({ "x-github-event": "ping", "x-github-delivery": id, "x-hub-signature-256": sig, body, timestamp: Date.now() })}\n\n`,
        );
      deliver(signature, "proxied-1");
      deliver(`sha256=${"0".repeat(64)}`, "proxied-forged");
      await waitFor(
        async () =>
          /POST \/api\/github\/webhooks 200/.test(app.output()) &&
          /proxied-forged.*bad signature|bad signature.*proxied-forged/.test(app.output()),
        15_000,
      ).catch(() => assert.fail(app.output()));
    } finally {
      for (const stream of streams) stream.end();
      channel.closeAllConnections();
      channel.close();
    }
  });
});
