/**
 * The repository config at its worst: for each shape an admin could write (as many keys as fit, dense
 * flow collections, deep nesting, long strings, aliases, duplicates, lists the schema checks item by
 * item), a file at the size cap, loaded by `loadConfig` through an in-process Contents API. Reported per
 * shape: the whole load's time, and its longest synchronous stretch between two reads (how long it holds
 * the event loop, which every other delivery waits for). Then the same for `_extends` chains of four
 * files at the cap, and the size check for the 1 MB file of 100,000 keys that used to hold the loop for
 * minutes.
 * Usage: tsx bench/config-worst-case.ts [runs]   (default 11)
 */
import { performance } from "node:perf_hooks";
import { parse as parseYaml } from "yaml";
import { CONFIG_PATH, loadConfig } from "../src/config/load-config.js";
import { parseConfig } from "../src/config/parse-config.js";
import { CONFIG_MAX_BYTES, CONFIG_MAX_VALUES } from "../src/config/parse-config-yaml.js";
import type { Octokit } from "../src/github/octokit.js";

const runs = Number(process.argv[2] ?? 11);
const CAP = CONFIG_MAX_BYTES;

/** Repeats `unit(i)` between `head` and `tail` while the text stays within `bytes`. */
function fill(unit: (i: number) => string, head = "", tail = "", bytes = CAP): string {
  const parts = [head];
  let size = head.length + tail.length;
  for (let i = 0; ; i++) {
    const next = unit(i);
    if (size + next.length > bytes) break;
    parts.push(next);
    size += next.length;
  }
  return parts.join("") + tail;
}

const shapes: Record<string, string> = {
  "top-level keys, as many as fit (`k1: 1`)": fill((i) => `k${i}: 1\n`),
  "one flow mapping of keys (`{k1: 1, k2: 1, …}`)": fill((i) => `k${i}: 1,`, "{", "}"),
  "duplicate keys (`a: 1` repeated)": fill(() => "a: 1\n"),
  "unknown keys under a setting (`report: {k1: 1 …}`)": fill((i) => `  k${i}: 1\n`, "report:\n"),
  "a list the schema checks item by item, every item invalid": fill(() => '"{x}",', "report:\n  expectedTags: [", "]"),
  "the most values a file may hold, every one invalid (4,090 list items)": `report:\n  expectedTags: [${'"{x}",'.repeat(4089)}"{x}"]\n${fill(() => "# padding to the cap\n", "", "", CAP - 24_600)}`,
  "a valid list of globs (`prune.keep`)": fill((i) => `"v${i}-*",`, "prune:\n  keep: [", "]"),
  "retry rules with regular expressions (each compiled)": fill(
    (i) => `  - {id: r${i}, verdict: transient, pattern: "(a|b)+c${i}"}\n`,
    "retry:\n  rules:\n",
  ),
  "nested flow sequences (`[[[[…`)": "[".repeat(CAP / 2) + "]".repeat(CAP / 2),
  "nested block sequences (`- - - …`)": fill(() => "- ") + "",
  "nested block mappings, 16 deep, repeated": fill(
    (i) => Array.from({ length: 16 }, (_, d) => `${" ".repeat(d)}${d === 0 ? `k${i}` : "a"}:`).join("\n") + " 1\n",
  ),
  "a 200-level indented staircase, then a flat list at its foot": (() => {
    const stairs = Array.from({ length: 200 }, (_, d) => `${" ".repeat(d)}a:`).join("\n");
    return `${stairs}\n${" ".repeat(200)}[${"1,".repeat((CAP - stairs.length - 210) / 2)}1]\n`;
  })(),
  "one long string (`prune.schedule`)": `prune:\n  schedule: "${"x".repeat(CAP - 40)}"\n`,
  "retry rules: as many 500-character patterns as fit (58)": `retry:\n  rules:\n${Array.from({ length: 58 }, (_, i) => `  - {id: r${i}, verdict: transient, pattern: "${"(a|b)".repeat(100)}"}\n`).join("")}`,
  "one long regular expression (`retry.rules[0].pattern`)": `retry:\n  rules:\n  - id: r\n    verdict: transient\n    pattern: "${"(a|b)".repeat((CAP - 80) / 5)}"\n`,
  "alias fan-out (a 2,000-item list aliased 100 times)": `a: &a [${"1,".repeat(2000)}1]\nb: [${"*a,".repeat(100)}*a]\n`,
  "alias bomb (nested, billion laughs)": [
    "a: &a [x,x,x,x,x,x,x,x,x]",
    ...Array.from(
      { length: 8 },
      (_, i) => `${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(",")}]`,
    ),
  ].join("\n"),
};

/**
 * The Contents API's JSON form for a map of repository → file text (anything else is a 404), answering
 * in a later turn of the event loop as I/O does. `turns` gets the length of each synchronous stretch
 * the load runs between its reads: how long it holds the loop.
 */
function contentsApi(files: Map<string, string>, turns: Turn[]): { octokit: Octokit; resumed: () => Mark } {
  let resumed = mark();
  const answer = <T>(settle: () => T) =>
    new Promise<T>((resolve, reject) =>
      setImmediate(() => {
        resumed = mark();
        try {
          resolve(settle());
        } catch (error) {
          reject(error as Error);
        }
      }),
    );
  const getContent = ({ owner, repo, path }: { owner: string; repo: string; path: string }) => {
    turns.push(since(resumed));
    return answer(() => {
      const text = files.get(`${owner}/${repo}:${path}`);
      if (text === undefined)
        throw Object.assign(new Error("Not Found"), {
          status: 404,
          request: { url: `https://api.github.com/repos/${owner}/${repo}/contents/${encodeURIComponent(path)}` },
        });
      const bytes = Buffer.from(text, "utf8");
      const inline = bytes.length <= 1024 * 1024;
      return {
        data: {
          type: "file",
          size: bytes.length,
          encoding: inline ? "base64" : "none",
          content: inline ? bytes.toString("base64") : "",
        },
      };
    });
  };
  return { octokit: { rest: { repos: { getContent } } } as unknown as Octokit, resumed: () => resumed };
}

/** A point in time, wall clock and the process's CPU clock. */
interface Mark {
  at: number;
  cpu: NodeJS.CpuUsage;
}
/** A synchronous stretch: its wall time, and its CPU time (user and system). */
interface Turn {
  ms: number;
  cpuMs: number;
}

const mark = (): Mark => ({ at: performance.now(), cpu: process.cpuUsage() });
function since(start: Mark): Turn {
  const cpu = process.cpuUsage(start.cpu);
  return { ms: performance.now() - start.at, cpuMs: (cpu.user + cpu.system) / 1000 };
}

interface Measured {
  /** Median of the runs: the whole load. */
  ms: number;
  /** The longest synchronous stretch of one load: median of the runs, and the worst run. */
  heldMs: number;
  worstHeldMs: number;
  /** CPU time of that stretch, median of the runs: what it holds the loop for when it has a core to itself. */
  heldCpuMs: number;
  outcome: string;
}

async function loadOnce(files: Map<string, string>): Promise<{ ms: number; held: Turn; outcome: string }> {
  const turns: Turn[] = [];
  const api = contentsApi(files, turns);
  const started = performance.now();
  const loaded = await loadConfig(api.octokit, { owner: "octo-org", repo: "app" });
  const ended = performance.now();
  turns.push(since(api.resumed()));
  const outcome = loaded.ok
    ? "valid"
    : `${loaded.problems.length} problems: ${loaded.problems[0]!.message.slice(0, 70)}`;
  const held = turns.reduce((longest, turn) => (turn.ms > longest.ms ? turn : longest));
  return { ms: ended - started, held, outcome };
}

async function measure(files: Map<string, string>): Promise<Measured> {
  // The first load of a shape warms its code paths, as earlier configs have in a running app.
  await loadOnce(files);
  const results = [];
  for (let run = 0; run < runs; run++) results.push(await loadOnce(files));
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
  return {
    ms: median(results.map((r) => r.ms)),
    heldMs: median(results.map((r) => r.held.ms)),
    worstHeldMs: Math.max(...results.map((r) => r.held.ms)),
    heldCpuMs: median(results.map((r) => r.held.cpuMs)),
    outcome: results[0]!.outcome,
  };
}

function row(name: string, bytes: number, result: Measured): string {
  return `| ${name} | ${(bytes / 1024).toFixed(1)} KiB | ${result.ms.toFixed(1)} ms | ${result.heldMs.toFixed(1)} ms | ${result.heldCpuMs.toFixed(1)} ms | ${result.worstHeldMs.toFixed(1)} ms | ${result.outcome.replace(/\|/g, "\\|")} |`;
}

console.log(`Cap ${CAP} bytes, ${CONFIG_MAX_VALUES} values; ${runs} runs each, after one to warm up.\n`);
console.log("| Shape | Size | Load | Loop held | CPU of that hold | Loop held, worst run | Outcome |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
let slowest = 0;
for (const [name, text] of Object.entries(shapes)) {
  const result = await measure(new Map([[`octo-org/app:${CONFIG_PATH}`, text]]));
  slowest = Math.max(slowest, result.worstHeldMs);
  console.log(row(name, Buffer.byteLength(text), result));
}

// Four files at the cap: the repository's, then three bases; each a long valid list, merged and checked.
// 1,000 items each (the most values a chain may hold together), padded to the cap.
const chainFile = (i: number, base?: string) =>
  `${base ? `_extends: ${base}\n` : ""}prune:\n  keep: [${Array.from({ length: 1000 }, (_, j) => `"f${i}-${j}-*"`).join(",")}]\n${fill(() => "# padding to the cap\n", "", "", CAP - 12_000)}`;
const chain = new Map([
  [`octo-org/app:${CONFIG_PATH}`, chainFile(0, "base1")],
  [`octo-org/base1:${CONFIG_PATH}`, chainFile(1, "base2")],
  [`octo-org/base2:${CONFIG_PATH}`, chainFile(2, "base3")],
  [`octo-org/base3:${CONFIG_PATH}`, chainFile(3)],
]);
const chainResult = await measure(chain);
slowest = Math.max(slowest, chainResult.worstHeldMs);
console.log(
  row(
    "`_extends` chain: 4 files at the cap, valid",
    [...chain.values()].reduce((sum, t) => sum + Buffer.byteLength(t), 0),
    chainResult,
  ),
);

// Four files, each a different list of 1,000 invalid items (the most values a chain may hold together),
// padded to the cap: what the schema checks after merging.
const lists = ["report:\n  expectedTags", "report:\n  images", "prune:\n  pullRequestTags", "prune:\n  keep"];
const invalidChain = new Map(
  lists.map((list, i) => [
    `octo-org/${i === 0 ? "app" : `base${i}`}:${CONFIG_PATH}`,
    `${i < 3 ? `_extends: base${i + 1}\n` : ""}${list}: [${(i < 3 ? '"{x}",' : '"",').repeat(1000)}]\n${fill(() => "# padding to the cap\n", "", "", CAP - 7000)}`,
  ]),
);
const invalidResult = await measure(invalidChain);
slowest = Math.max(slowest, invalidResult.worstHeldMs);
console.log(
  row(
    "`_extends` chain: 4 files at the cap, each a different list of 1,000 invalid items",
    [...invalidChain.values()].reduce((sum, t) => sum + Buffer.byteLength(t), 0),
    invalidResult,
  ),
);

// The report that started this: 100,000 keys, 1 MB. Today it is refused on GitHub's `size`, unparsed.
const huge = Array.from({ length: 100_000 }, (_, i) => `key${i}: 1`).join("\n");
const hugeResult = await measure(new Map([[`octo-org/app:${CONFIG_PATH}`, huge]]));
console.log(row("100,000 keys (the reported file)", Buffer.byteLength(huge), hugeResult));
console.log(`\nLongest loop hold in any run: ${slowest.toFixed(1)} ms`);

// Before: the same parse as Probot's config plugin (`yaml.parse`, keys checked for uniqueness pairwise)
// and the schema, on the first 5,000, 10,000 and 20,000 of those keys: time grows with the square.
console.log("\nBefore (yaml.parse with its unique-key check, then the schema):");
for (const keys of [5_000, 10_000, 20_000]) {
  const text = Array.from({ length: keys }, (_, i) => `key${i}: 1`).join("\n");
  const started = performance.now();
  parseConfig(parseYaml(text, { logLevel: "error" }));
  console.log(
    `  ${keys} keys (${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB): ${(performance.now() - started).toFixed(0)} ms`,
  );
}
