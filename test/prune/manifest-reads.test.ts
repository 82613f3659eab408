import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManifestReads } from "../../src/prune/manifest-reads.js";
import type { ManifestRead } from "../../src/registry/registry-client.js";

/** A read per digest that ends when told to, recording how many ran at once. */
function gatedReads() {
  const calls: string[] = [];
  const gates = new Map<string, () => void>();
  let running = 0;
  let peak = 0;
  const read = async (digest: string): Promise<ManifestRead> => {
    calls.push(digest);
    running += 1;
    peak = Math.max(peak, running);
    await new Promise<void>((resolve) => gates.set(digest, resolve));
    running -= 1;
    return { ok: true, manifest: { digest } };
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { read, calls, gates, peak: () => peak, settle };
}

describe("a package's manifest reads", () => {
  it("reads each digest once, at most `limit` at once, in the order asked", async () => {
    const { read, calls, gates, peak, settle } = gatedReads();
    const reads = new ManifestReads(read, 2);
    const digests = ["a", "b", "c", "d", "e"];
    const results = digests.map((d) => reads.start(d));
    assert.equal(reads.start("a"), results[0], "asked again, the same read");
    await settle();
    assert.deepEqual(calls, ["a", "b"]);
    for (const d of digests) {
      // A read that ends hands its place to the next; one asked for meanwhile waits its turn.
      gates.get(d)?.();
      if (d === "a") void reads.start("f");
      await settle();
    }
    gates.get("f")?.();
    assert.deepEqual(
      await Promise.all(results),
      digests.map((d) => ({ ok: true, manifest: { digest: d } })),
    );
    assert.deepEqual(calls, ["a", "b", "c", "d", "e", "f"]);
    assert.equal(peak(), 2);
    await reads.close();
  });

  it("on close, drops the reads not begun and returns once the running ones end", async () => {
    const { read, calls, gates, settle } = gatedReads();
    const reads = new ManifestReads(read, 1);
    const first = reads.start("a");
    const second = reads.start("b");
    await settle();
    let closed = false;
    const closing = reads.close().then(() => (closed = true));
    await settle();
    assert.equal(closed, false, "a read is still running");
    gates.get("a")?.();
    await closing;
    assert.deepEqual(await first, { ok: true, manifest: { digest: "a" } });
    assert.deepEqual(await second, { ok: false, reason: "not read: the run ended first" });
    assert.deepEqual(calls, ["a"]);
  });

  it("a failed read started early and never awaited is no unhandled rejection; awaited, it throws", async () => {
    const reads = new ManifestReads(() => Promise.reject(new Error("cache broke")), 4);
    const read = reads.start("a");
    await reads.close();
    await assert.rejects(read, /cache broke/);
  });
});
