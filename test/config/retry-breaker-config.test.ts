import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/parse-config.js";
import { parseConfigYaml } from "../../src/config/parse-config-yaml.js";

const DEFAULTS = { enabled: true, failures: 3, windowHours: 24, cooldownHours: 24 };

/** `retry.breaker` keys a repository writes, as YAML; read back as written, the rest defaulted. */
const ACCEPTED: [name: string, keys: Partial<typeof DEFAULTS>][] = [
  ["defaults", {}],
  ["turned off, the rest defaulted", { enabled: false }],
  ["every key", { failures: 5, windowHours: 72, cooldownHours: 6 }],
  ["the bounds", { failures: 20, windowHours: 168, cooldownHours: 1 }],
];

function breakerYaml(keys: Partial<typeof DEFAULTS>): string {
  const lines = Object.entries(keys).map(([key, value]) => `    ${key}: ${value}\n`);
  return lines.length === 0 ? "" : `retry:\n  breaker:\n${lines.join("")}`;
}

/** `retry.breaker` as a repository writes it: YAML in, the problems (key: words) out. */
const REJECTED: { name: string; yaml: string; problems: [string, RegExp][] }[] = [
  {
    name: "out of range",
    yaml: "retry:\n  breaker:\n    failures: 0\n    windowHours: 169\n    cooldownHours: 0\n",
    problems: [
      ["retry.breaker.cooldownHours", /Too small/i],
      ["retry.breaker.failures", /Too small/i],
      ["retry.breaker.windowHours", /Too big/i],
    ],
  },
  {
    name: "not whole hours, not a number",
    yaml: "retry:\n  breaker:\n    failures: 2.5\n    windowHours: 24h\n",
    problems: [
      ["retry.breaker.failures", /integer|int/i],
      ["retry.breaker.windowHours", /number/i],
    ],
  },
  {
    name: "an unknown key names the allowed ones",
    yaml: "retry:\n  breaker:\n    window: 24h\n",
    problems: [["retry.breaker.window", /allowed here: enabled, failures, windowHours, cooldownHours/]],
  },
  {
    name: "not a mapping",
    yaml: "retry:\n  breaker: true\n",
    problems: [["retry.breaker", /object/i]],
  },
];

function parsed(text: string) {
  const yaml = parseConfigYaml(text, ".github/dockhand.yml");
  assert.ok(yaml.ok);
  return parseConfig(yaml.value);
}

describe("retry.breaker in .github/dockhand.yml", () => {
  for (const [name, keys] of ACCEPTED) {
    it(name, () => {
      const result = parsed(breakerYaml(keys));
      assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
      assert.deepEqual(result.config.retry.breaker, { ...DEFAULTS, ...keys });
    });
  }
  for (const c of REJECTED) {
    it(c.name, () => {
      const result = parsed(c.yaml);
      assert.ok(!result.ok);
      const problems = [...result.problems].sort((a, b) => a.key.localeCompare(b.key));
      assert.deepEqual(
        problems.map((p) => p.key),
        c.problems.map(([key]) => key),
      );
      for (const [index, [, words]] of c.problems.entries()) assert.match(problems[index]!.message, words);
    });
  }
});
