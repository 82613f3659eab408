import assert from "node:assert/strict";
import { afterEach, beforeEach } from "node:test";
import { FakeGitHub } from "./fake-github.js";
import { interceptGitHub } from "./nock-github.js";
import { createTestApp, type TestApp } from "./test-app.js";

export interface AppFixture {
  fake: FakeGitHub;
  app: TestApp;
}

/**
 * Registers, where it is called (a describe), a fresh app for every test: before it, a new FakeGitHub
 * that intercepts GitHub and the app on it (`env` as createTestApp takes it), handed to `started` (to
 * keep and seed); after it, the app closed, the interception removed, and every request and fake
 * answer checked against GitHub's OpenAPI description.
 */
export function appPerTest(
  started: (fixture: AppFixture) => void | Promise<void>,
  env: Record<string, string> = {},
): void {
  let fixture: AppFixture | undefined;
  let stop = () => {};
  beforeEach(async () => {
    const fake = new FakeGitHub();
    stop = interceptGitHub(fake);
    fixture = { fake, app: await createTestApp(fake, env) };
    await started(fixture);
  });
  afterEach(async () => {
    await fixture?.app.close();
    stop();
    assert.deepEqual(
      fixture?.fake.violations,
      [],
      "every request and fake answer matches GitHub's OpenAPI description",
    );
  });
}

/**
 * Registers, where it is called, a fresh FakeGitHub for every test, intercepting GitHub and handed to
 * `started`; after the test, the interception removed and every request and fake answer checked
 * against GitHub's OpenAPI description. For tests of one module's requests, without the app.
 */
export function githubPerTest(started: (fake: FakeGitHub) => void | Promise<void>): void {
  let fake: FakeGitHub | undefined;
  let stop = () => {};
  beforeEach(async () => {
    fake = new FakeGitHub();
    stop = interceptGitHub(fake);
    await started(fake);
  });
  afterEach(() => {
    stop();
    assert.deepEqual(fake?.violations, [], "every request and fake answer matches GitHub's OpenAPI description");
  });
}
