import { readSettings, type Settings } from "../../src/settings.js";
import { TEST_STATE_KEY } from "./comment-state.js";

/** Settings as an operator's environment would give them, for tests: no sweep unless asked, the test state key. */
export function testSettings(env: Record<string, string> = {}): Settings {
  return readSettings({ DOCKHAND_REGISTRIES: "ghcr.io", DOCKHAND_SWEEP: "off", DOCKHAND_STATE_KEY: TEST_STATE_KEY, ...env });
}
