import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { isTransientError, type Octokit } from "../../src/github/octokit.js";
import { dockhandOctokit } from "../../src/github/octokit-options.js";
import { withRequestTimeout } from "../../src/github/request-timeout.js";

/** A GitHub stand-in whose n-th request (from 1) is answered after `delayMs(n)`. */
async function slowServer(delayMs: (n: number) => number) {
  let requests = 0;
  const answer = (res: ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).end("{}");
  const server = createServer((_req, res) => void setTimeout(() => answer(res), delayMs(++requests)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("withRequestTimeout", () => {
  it("ends a request GitHub does not answer in time with a transient error", async () => {
    // Answered after three seconds: without a deadline the request would succeed.
    const server = await slowServer(() => 3000);
    try {
      const octokit = withRequestTimeout(
        new (dockhandOctokit({ githubWriteIntervalMs: 0 }))({ baseUrl: server.baseUrl }) as Octokit,
        200,
      );
      const error = await octokit.request("POST /markdown", { text: "x" }).then(
        () => assert.fail("the request should have timed out"),
        (e: unknown) => e,
      );
      assert.equal(isTransientError(error), true, String(error));
    } finally {
      await server.close();
    }
  });

  it("gives the second send of a read a fresh deadline", async () => {
    const server = await slowServer((n) => (n === 1 ? 3000 : 0));
    try {
      const octokit = withRequestTimeout(
        new (dockhandOctokit({ githubWriteIntervalMs: 0 }))({ baseUrl: server.baseUrl }) as Octokit,
        200,
      );
      assert.equal((await octokit.request("GET /rate_limit")).status, 200);
      assert.equal(server.requests(), 2);
    } finally {
      await server.close();
    }
  });
});
