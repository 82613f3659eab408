import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";

/**
 * One family of adversarial inputs. `prepare(unit)` builds, outside the timing, input whose hostile
 * units (a line, a run, a reference) are `unit` characters long, `total` characters in all, and
 * returns the work to time on it.
 */
export interface HostileCase {
  name: string;
  prepare: (unit: number, total: number) => () => unknown;
}

/** Units passed one call each: `run(make(unit))`, `total / unit` times. */
export function eachCall<T>(name: string, make: (unit: number) => T, run: (input: T) => unknown): HostileCase {
  return {
    name,
    prepare: (unit, total) => {
      const input = make(unit);
      const count = Math.max(1, Math.round(total / unit));
      return () => {
        for (let i = 0; i < count; i += 1) run(input);
      };
    },
  };
}

/** Units as the lines of one text: `run(lines.join("\n"))` once. */
export function asLines(name: string, line: (unit: number) => string, run: (text: string) => unknown): HostileCase {
  return {
    name,
    prepare: (unit, total) => {
      const one = line(unit);
      const text = Array.from({ length: Math.max(1, Math.round(total / one.length)) }, () => one).join("\n");
      return () => run(text);
    },
  };
}

/**
 * How much more the same number of characters costs when they come in units ten times as long.
 * Work linear in the input costs the same either way (≈ 1; fewer, longer units are if anything
 * cheaper); work that grows as n² costs ten times as much. A ratio, not a duration, so a slow machine
 * does not change the verdict; and a busy one neither: each side is the best of many short samples,
 * and a sample the scheduler interrupted is never the best.
 */
export function growth(
  hostile: HostileCase,
  unit: number,
  total: number,
  samples = 7,
  sampleMs = 2,
): { ratio: number; shortMs: number; longMs: number } {
  const short = hostile.prepare(unit, total);
  const long = hostile.prepare(10 * unit, total);
  const time = (work: () => unknown, times: number) => {
    const start = performance.now();
    for (let i = 0; i < times; i += 1) work();
    return performance.now() - start;
  };
  let times = 1;
  while (time(short, times) < sampleMs && times < 1 << 16) times *= 2;
  let shortMs = Number.POSITIVE_INFINITY;
  let longMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < samples; i += 1) {
    shortMs = Math.min(shortMs, time(short, times));
    longMs = Math.min(longMs, time(long, times));
  }
  return { ratio: longMs / shortMs, shortMs, longMs };
}

/**
 * Linear: units ten times as long may cost at most `bound` times as much per character (n² makes it
 * 10). A ratio over the bound is measured again, up to three times in all: work that really grows
 * does so every time, a busy moment on a shared machine does not.
 */
export function assertLinear(hostile: HostileCase, unit: number, total: number, bound = 4): void {
  let last = growth(hostile, unit, total);
  for (let attempt = 1; attempt < 3 && last.ratio >= bound; attempt += 1) last = growth(hostile, unit, total);
  assert.ok(
    last.ratio < bound,
    `${hostile.name}: ${total} characters in units of ${unit} took ${last.shortMs.toFixed(1)} ms, in units of ${10 * unit} ${last.longMs.toFixed(1)} ms (${last.ratio.toFixed(1)}×; linear is ≈ 1, quadratic ≈ 10)`,
  );
}
