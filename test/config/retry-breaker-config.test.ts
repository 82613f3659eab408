import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/parse-config.js";
import { parseConfigYaml } from "../../src/config/parse-config-yaml.js";

/** `retry.breaker` as a repository writes it: YAML in, the breaker or the problems (key: words) out. */
const CASES: { name: string; yaml: string; breaker?: unknown; problems?: [string, RegExp][] }[] = [
  {
    name: "defaults",
    yaml: "",
    breaker: { enabled: true, failures: 3, windowHours: 24, cooldownHours: 24 },
  },
  {
    name: "turned off, the rest defaulted",
    yaml: "retry:\n  breaker:\n    enabled: false\n",
    breaker: { enabled: false, failures: 3, windowHours: 24, cooldownHours: 24 },
  },
  {
    name: "every key",
    yaml: "retry:\n  breaker:\n    failures: 5\n    windowHours: 72\n    cooldownHours: 6\n",
    breaker: { enabled: true, failures: 5, windowHours: 72, cooldownHours: 6 },
  },
  {
    name: "the bounds",
    yaml: "retry:\n  breaker:\n    failures: 20\n    windowHours: 168\n    cooldownHours: 1\n",
    breaker: { enabled: true, failures: 20, windowHours: 168, cooldownHours: 1 },
  },
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

describe("retry.breaker in .github/dockhand.yml", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const yaml = parseConfigYaml(c.yaml, ".github/dockhand.yml");
      assert.ok(yaml.ok);
      const parsed = parseConfig(yaml.value);
      if (c.breaker) {
        assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
        assert.deepEqual(parsed.config.retry.breaker, c.breaker);
        return;
      }
      assert.ok(!parsed.ok);
      const problems = [...parsed.problems].sort((a, b) => a.key.localeCompare(b.key));
      assert.deepEqual(
        problems.map((p) => p.key),
        (c.problems ?? []).map(([key]) => key),
      );
      for (const [index, [, words]] of (c.problems ?? []).entries()) assert.match(problems[index]!.message, words);
    });
  }
});
