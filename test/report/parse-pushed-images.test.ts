import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePushedImages } from "../../src/report/parse-pushed-images.js";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

describe("parsePushedImages", () => {
  it("reads buildx push lines, with runner timestamps and colours", () => {
    const log = [
      `2026-11-20T11:00:03.1234567Z #14 pushing manifest for ghcr.io/octo-org/app:pr-7@${D1} 0.9s done`,
      `2026-11-20T11:00:03.2Z \u001b[36m#14 pushing manifest for ghcr.io/octo-org/app:pr-7-abc1234@${D1}\u001b[0m`,
    ].join("\n");
    assert.deepEqual(parsePushedImages(log), [
      { host: "ghcr.io", path: "octo-org/app", tag: "pr-7", digest: D1, via: "buildx" },
      { host: "ghcr.io", path: "octo-org/app", tag: "pr-7-abc1234", digest: D1, via: "buildx" },
    ]);
  });

  it("reads docker push output, pairing each digest line with its repository", () => {
    const log = [
      "The push refers to repository [ghcr.io/octo-org/app]",
      "5f70bf18a086: Pushed",
      `pr-7: digest: ${D1} size: 1570`,
      "The push refers to repository [localhost:5000/app]",
      `latest: digest: ${D2} size: 528`,
    ].join("\n");
    assert.deepEqual(parsePushedImages(log), [
      { host: "ghcr.io", path: "octo-org/app", tag: "pr-7", digest: D1, via: "docker push" },
      { host: "localhost:5000", path: "app", tag: "latest", digest: D2, via: "docker push" },
    ]);
  });

  it("reads podman push, whose output names no digest", () => {
    const log = [
      "##[group]Run podman push --tls-verify=true ghcr.io/octo-org/app:pr-7",
      "Copying blob 5f70bf18a086 done",
      "Writing manifest to image destination",
    ].join("\n");
    assert.deepEqual(parsePushedImages(log), [
      { host: "ghcr.io", path: "octo-org/app", tag: "pr-7", via: "podman push" },
    ]);
  });

  it("does not count a podman push that never wrote its manifest", () => {
    assert.deepEqual(parsePushedImages("+ podman push ghcr.io/o/a:t\nError: unauthorized"), []);
  });

  it("ignores lines that are not a tool's push output, and references that do not parse", () => {
    const log = [
      "echo pushing manifest for nothing",
      `pushing manifest for UPPER/Case:tag@${D1}`,
      `pushing manifest for ghcr.io/o/a:${"t".repeat(129)}@${D1}`,
      `exporting manifest list ${D1} done`,
      `"image.name": "ghcr.io/o/a:pr-1", "containerimage.digest": "${D1}"`,
      `pr-7: digest: ${D1} size: 1570`,
    ].join("\n");
    assert.deepEqual(parsePushedImages(log), []);
  });

  it("lists each reference once", () => {
    const line = `#1 pushing manifest for ghcr.io/o/a:t@${D1}`;
    assert.equal(parsePushedImages(`${line}\n${line}`).length, 1);
  });
});
