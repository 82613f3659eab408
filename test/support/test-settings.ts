import { readSettings, type Settings } from "../../src/settings.js";
import { TEST_STATE_KEY } from "./comment-state.js";

/**
 * Settings as an operator's environment would give them, for tests: no sweep and no redelivery loop
 * unless asked, the test state key, and GitHub writes not spaced in time (a second apart would make
 * every suite crawl; the pacing itself is tested in test/github/octokit-options.test.ts).
 */
export function testSettings(env: Record<string, string> = {}): Settings {
  return readSettings({
    DOCKHAND_REGISTRIES: "ghcr.io",
    DOCKHAND_SWEEP: "off",
    DOCKHAND_REDELIVER: "off",
    DOCKHAND_STATE_KEY: TEST_STATE_KEY,
    DOCKHAND_GITHUB_WRITE_INTERVAL_MS: "0",
    ...env,
  });
}
