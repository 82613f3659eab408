import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";

/**
 * The agreed direction of dependencies between src/'s folders (and its top-level files), from the top:
 * a module may import from its own folder and from any layer below its own, never from a layer above
 * or a sibling in the same layer. docs/architecture.md draws the same picture.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["main"],
  ["index"],
  ["capabilities"],
  ["runtime"],
  ["cli", "server"],
  ["workflow-run"],
  ["comment"],
  ["report"],
  ["prune", "retry", "redeliver"],
  ["config"],
  ["events", "ops", "registry"],
  ["queue", "github", "settings"],
  ["util"],
];

const SRC = "src";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** A module's unit: its folder under src/, or the name of a top-level file. */
function unitOf(path: string): string {
  const [first = "", second] = relative(SRC, path).split("/");
  return second === undefined ? first.replace(/\.ts$/, "") : first;
}

/** Every import between units, as "from → to" with the file that makes it. */
function imports(): { from: string; to: string; file: string }[] {
  const edges: { from: string; to: string; file: string }[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/^(?:import|export)[^;]*?from "(\.[^"]+)"/gms)) {
      const target = join(file, "..", match[1] ?? "").replace(/\.js$/, ".ts");
      const from = unitOf(file);
      const to = unitOf(target);
      if (from !== to) edges.push({ from, to, file });
    }
  }
  return edges;
}

const layerOf = (unit: string) => LAYERS.findIndex((layer) => layer.includes(unit));

describe("dependencies between src/'s folders", () => {
  const edges = imports();

  it("puts every folder and top-level file in a layer", () => {
    const units = new Set(sourceFiles(SRC).map(unitOf));
    assert.deepEqual(
      [...units].filter((unit) => layerOf(unit) < 0),
      [],
    );
  });

  it("run one way: only downwards, never sideways or up", () => {
    const wrong = edges
      .filter((edge) => layerOf(edge.to) <= layerOf(edge.from))
      .map((edge) => `${edge.file}: ${edge.from} → ${edge.to}`);
    assert.deepEqual([...new Set(wrong)], []);
  });

  it("form no cycle", () => {
    const next = new Map<string, Set<string>>();
    for (const edge of edges) next.set(edge.from, (next.get(edge.from) ?? new Set()).add(edge.to));
    const cycles: string[] = [];
    const visit = (unit: string, path: string[]) => {
      if (path.includes(unit)) return void cycles.push([...path.slice(path.indexOf(unit)), unit].join(" → "));
      for (const to of next.get(unit) ?? []) visit(to, [...path, unit]);
    };
    for (const unit of next.keys()) visit(unit, []);
    assert.deepEqual([...new Set(cycles)], []);
  });
});
