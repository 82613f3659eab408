/**
 * Worst cases of what strangers' answers make Dockhand read: a 400 MB manifest from an allow-listed
 * registry, a 200 MB job log (from a log server that serves ranges, one that serves offset ranges only
 * like Azure Blob storage, and one that serves none), and the whole app on a run whose 200 MB log names
 * 5,000 images. Each case runs in a process of its own: wall time, peak RSS growth over the case's start
 * (heap collected first), the process's peak RSS, requests, and bytes the server wrote.
 * Usage: node --expose-gc --import tsx bench/bounded-reads.ts
 */
import { spawnSync } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { Octokit } from "../src/github/octokit.js";
import { readJobLogTail } from "../src/github/read-log-tail.js";
import { RegistryClient } from "../src/registry/registry-client.js";
import { LOG_TAIL_BYTES } from "../src/report/read-run-outputs.js";
import { TAIL_STEPS } from "../src/retry/read-job-failure.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { interceptGitHub } from "../test/support/nock-github.js";
import { hugeBuildLog, hugeFailedPushLog, seedFailedRun } from "../test/support/scenario.js";
import { serveTaggedImage } from "../test/support/tagged-registry.js";
import { createTestApp } from "../test/support/test-app.js";

const MB = 1000 * 1000;
const MiB = 1024 * 1024;

/** Runs `work` once, sampling RSS every 5 ms from a collected heap. */
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; rssMiB: number }> {
  global.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { result, ms, rssMiB: (peak - before) / MiB };
}

/** A loopback server that writes `body(req)` with backpressure and counts what it wrote. */
async function server(
  handle: (req: IncomingMessage) => {
    status: number;
    headers: Record<string, string>;
    size: number;
    chunk: (offset: number, length: number) => Buffer;
  },
) {
  const stats = { requests: 0, bytesWritten: 0 };
  const http = createServer((req, res: ServerResponse) => {
    stats.requests += 1;
    const answer = handle(req);
    res.writeHead(answer.status, answer.headers);
    let offset = 0;
    const pump = () => {
      while (offset < answer.size && !res.destroyed) {
        const chunk = answer.chunk(offset, Math.min(64 * 1024, answer.size - offset));
        offset += chunk.length;
        stats.bytesWritten += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    host: `127.0.0.1:${(http.address() as AddressInfo).port}`,
    stats,
    close: () => new Promise<void>((resolve) => (http.closeAllConnections(), http.close(() => resolve()))),
  };
}

type Row = {
  input: string;
  result: string;
  ms: number;
  rssMiB: number;
  maxRssMiB: number;
  requests: number;
  bytes: number;
};

/** Each case, by name; it returns its row. */
const cases: Record<string, () => Promise<Row[]>> = {};

// 1. A 400 MB manifest: streamed without a length, or with it declared.
for (const declared of [false, true]) {
  cases[`manifest-${declared ? "declared" : "chunked"}`] = async () => {
    const size = 400 * MB;
    const head = Buffer.from(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","annotations":{"x":"',
    );
    const filler = Buffer.alloc(64 * 1024, "a");
    const registry = await server(() => ({
      status: 200,
      headers: {
        "content-type": "application/vnd.oci.image.manifest.v1+json",
        ...(declared ? { "content-length": String(size) } : {}),
      },
      size,
      chunk: (offset, length) =>
        offset === 0 ? head : offset + length >= size ? Buffer.from('"}}') : filler.subarray(0, length),
    }));
    const client = new RegistryClient({ allowList: [registry.host], timeoutMs: 60_000 });
    const { result: lookup, ...m } = await measure(() =>
      client.lookup({ host: registry.host, path: "octo-org/app", tag: "huge" }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await registry.close();
    const result = lookup.status === "unreachable" ? lookup.reason : lookup.status;
    return [
      {
        input: `400 MB manifest, ${declared ? "length declared" : "chunked"}`,
        result,
        ...m,
        maxRssMiB: 0,
        requests: client.requests,
        bytes: registry.stats.bytesWritten,
      },
    ];
  };
}

// 2. A 200 MB job log, read for the report (last 4 MiB) and for a retry decision (64 KiB, 512 KiB, 4 MiB).
for (const mode of ["ranges", "offsets", "none"] as const) {
  cases[`log-${mode}`] = async () => {
    const log = hugeBuildLog();
    const logs = await server((req) => {
      const suffix = /^bytes=-(\d+)$/.exec(req.headers.range ?? "");
      const offsets = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
      const ranged = mode !== "none" && ((suffix && mode === "ranges") || offsets);
      const start = !ranged ? 0 : suffix ? log.length - Number(suffix[1]) : Number(offsets?.[1]);
      const end = !ranged ? log.length - 1 : suffix ? log.length - 1 : Number(offsets?.[2]);
      return {
        status: ranged ? 206 : 200,
        headers: {
          "content-length": String(end + 1 - start),
          ...(ranged ? { "content-range": `bytes ${start}-${end}/${log.length}` } : {}),
        },
        size: end + 1 - start,
        chunk: (offset, length) => log.subarray(start + offset, start + offset + length),
      };
    });
    const octokit = {
      request: async () => ({ status: 302, headers: { location: `http://${logs.host}/logs/1` } }),
    } as unknown as Octokit;
    const name = { ranges: "ranges", offsets: "offset ranges only (like Azure Blob)", none: "no ranges" }[mode];
    const rows: Row[] = [];
    for (const [purpose, chunks] of [
      ["report", [LOG_TAIL_BYTES]],
      ["retry", TAIL_STEPS],
    ] as const) {
      const before = { ...logs.stats };
      const { result: tail, ...m } = await measure(() =>
        readJobLogTail(octokit, { owner: "o", repo: "r" }, 1, { chunks }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const result = `last ${(tail.text.length / MiB).toFixed(2)} MiB`;
      rows.push({
        input: `200 MB log, ${purpose} read; server: ${name}`,
        result,
        ...m,
        maxRssMiB: 0,
        requests: logs.stats.requests - before.requests,
        bytes: logs.stats.bytesWritten - before.bytesWritten,
      });
    }
    await logs.close();
    return rows;
  };
}

// 3. The app: a failed run whose 200 MB log names 5,000 images, pushed to an allow-listed registry.
cases.app = async () => {
  const tags = Array.from({ length: 5000 }, (_, i) => `t${i}`);
  const { registry, digest, served } = await serveTaggedImage(tags);
  const fake = new FakeGitHub();
  const stop = interceptGitHub(fake);
  const app = await createTestApp(fake, { DOCKHAND_REGISTRIES: served.host });
  const payload = seedFailedRun(fake, hugeFailedPushLog(served.host, tags, digest));
  const { ms, rssMiB } = await measure(() => app.receive("workflow_run", payload));
  const logRequests = fake.requests.filter((r) => r.path.startsWith("logs:")).length;
  await app.close();
  stop();
  await served.close();
  const result = `${registry.reads} of 5,000 images checked`;
  return [
    {
      input: "the app: a failed run, its 200 MB log naming 5,000 images",
      result,
      ms,
      rssMiB,
      maxRssMiB: 0,
      requests: registry.reads + logRequests,
      bytes: fake.logBytesServed,
    },
  ];
};

const only = process.argv[2];
if (only) {
  const rows = await cases[only]!();
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...r, maxRssMiB })))}\n`);
} else {
  console.log(
    `Node ${process.version}. Each case in a fresh process; "RSS growth" is the peak over the case's start, "peak RSS" the process's own.\n`,
  );
  console.log("| Input | Result | Time | RSS growth | Peak RSS | Requests | Server wrote |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const name of Object.keys(cases)) {
    const child = spawnSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, name], {
      encoding: "utf8",
      maxBuffer: 16 * MiB,
    });
    if (child.status !== 0) throw new Error(`case ${name} failed: ${child.stderr}`);
    for (const r of JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "[]") as Row[]) {
      console.log(
        `| ${r.input} | ${r.result} | ${(r.ms / 1000).toFixed(2)} s | ${r.rssMiB.toFixed(0)} MiB | ${r.maxRssMiB.toFixed(0)} MiB | ${r.requests} | ${(r.bytes / MiB).toFixed(1)} MiB |`,
      );
    }
  }
}
