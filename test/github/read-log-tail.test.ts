import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import type { Octokit } from "../../src/github/octokit.js";
import { readJobLogTail } from "../../src/github/read-log-tail.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * A log server: `ranges` serves suffix and offset ranges (S3, the fake GitHub); `offsets` serves offset
 * ranges only and the whole log for a suffix (Azure Blob storage, where github.com keeps logs);
 * `none` ignores every range. Counts the bytes it wrote, with backpressure, so a client that stops
 * reading stops the download.
 */
async function logServer(log: Buffer, mode: "ranges" | "offsets" | "none") {
  const stats = { requests: [] as string[], bytesWritten: 0 };
  const send = (res: ServerResponse, status: number, body: Buffer, headers: Record<string, string>) => {
    res.writeHead(status, { "content-type": "text/plain", "content-length": String(body.length), ...headers });
    let offset = 0;
    const pump = () => {
      while (offset < body.length && !res.destroyed) {
        const chunk = body.subarray(offset, offset + 64 * KiB);
        offset += chunk.length;
        stats.bytesWritten += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  };
  const server = createServer((req, res) => {
    const range = req.headers.range ?? "";
    stats.requests.push(range);
    const suffix = /^bytes=-(\d+)$/.exec(range);
    const offsets = /^bytes=(\d+)-(\d+)$/.exec(range);
    if (mode !== "none" && ((suffix && mode === "ranges") || offsets)) {
      const start = suffix ? Math.max(0, log.length - Number(suffix[1])) : Number(offsets?.[1]);
      const end = suffix ? log.length - 1 : Math.min(Number(offsets?.[2]), log.length - 1);
      if (log.length === 0 || start > end)
        return void res.writeHead(416, { "content-range": `bytes */${log.length}` }).end();
      return send(res, 206, log.subarray(start, end + 1), { "content-range": `bytes ${start}-${end}/${log.length}` });
    }
    send(res, 200, log, {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logs/1?sig=x`;
  const octokit = { request: async () => ({ status: 302, headers: { location: url } }) } as unknown as Octokit;
  return {
    octokit,
    stats,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** `count` numbered lines, then `end`. */
function numberedLog(bytes: number, end = "the end"): Buffer {
  const line = (i: number) => `2026-11-20T11:00:00.0000000Z line ${String(i).padStart(9, "0")} ${"x".repeat(40)}\n`;
  const count = Math.ceil(bytes / line(0).length);
  return Buffer.from(`${Array.from({ length: count }, (_, i) => line(i)).join("")}${end}\n`);
}

const repo = { owner: "octo-org", repo: "app" };

describe("readJobLogTail", () => {
  for (const mode of ["ranges", "offsets", "none"] as const) {
    it(`reads only the last 4 MiB of a 64 MiB log, whole lines, from a server that serves ${mode === "none" ? "no ranges" : mode}`, async () => {
      const log = numberedLog(64 * MiB);
      const server = await logServer(log, mode);
      try {
        const tail = await readJobLogTail(server.octokit, repo, 1, { chunks: [4 * MiB] });
        assert.equal(tail.truncated, true);
        assert.ok(tail.text.length <= 4 * MiB, `kept ${tail.text.length} bytes`);
        assert.ok(tail.text.length > 4 * MiB - 200, "all but the first, partial line");
        assert.ok(log.toString("utf8").endsWith(tail.text), "the log's own end");
        assert.match(tail.text, /^2026-11-20T11:00:00/, "starts at a whole line");
        if (mode === "none") return;
        // An abandoned whole-log answer stops at what the socket buffers held.
        assert.ok(server.stats.bytesWritten < 4 * MiB + 24 * MiB, `server wrote ${server.stats.bytesWritten} bytes`);
        assert.ok(tail.bytesRead <= 4 * MiB);
      } finally {
        await server.close();
      }
    });
  }

  it("asks a server without suffix ranges again by offsets once it knows the log's length", async () => {
    const log = numberedLog(20 * MiB);
    const server = await logServer(log, "offsets");
    try {
      await readJobLogTail(server.octokit, repo, 1, { chunks: [64 * KiB, 512 * KiB] });
      assert.deepEqual(server.stats.requests, [
        `bytes=-${64 * KiB}`,
        `bytes=${log.length - 64 * KiB}-${log.length - 1}`,
        `bytes=${log.length - 64 * KiB - 512 * KiB}-${log.length - 64 * KiB - 1}`,
      ]);
    } finally {
      await server.close();
    }
  });

  it("reads further back, chunk by chunk, until the caller has enough", async () => {
    const log = Buffer.concat([Buffer.from("##[group]Run docker push\n"), numberedLog(1 * MiB, "##[error]boom")]);
    const server = await logServer(log, "ranges");
    try {
      const tail = await readJobLogTail(server.octokit, repo, 1, {
        chunks: [64 * KiB, 512 * KiB, 4 * MiB],
        enough: (text) => text.includes("##[group]Run "),
      });
      assert.equal(server.stats.requests.length, 3);
      assert.equal(tail.truncated, false);
      assert.equal(tail.text, log.toString("utf8"));
      assert.equal(tail.bytesRead, log.length);
    } finally {
      await server.close();
    }
  });

  it("reads a log shorter than the chunk whole, and an empty one as empty", async () => {
    for (const [mode, log] of [
      ["ranges", Buffer.from("a\nb\n")],
      ["offsets", Buffer.from("a\nb\n")],
      ["ranges", Buffer.alloc(0)],
    ] as const) {
      const server = await logServer(log, mode);
      try {
        const tail = await readJobLogTail(server.octokit, repo, 1, { chunks: [64 * KiB] });
        assert.deepEqual(
          { text: tail.text, truncated: tail.truncated },
          { text: log.toString("utf8"), truncated: false },
        );
      } finally {
        await server.close();
      }
    }
  });
});
