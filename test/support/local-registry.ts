import { spawn, execFile, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import type { PackageVersion } from "../../src/prune/package-version.js";
import { freePort, waitFor } from "./net.js";

const run = promisify(execFile);
/** What a client accepts when it reads an image's index or manifest. */
export const MANIFEST_ACCEPT = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json";

/**
 * A real OCI registry (Debian's `docker-registry`, i.e. distribution) on loopback, and images built
 * here as OCI layouts and pushed with `skopeo`: no download, no Docker engine.
 */
export interface LocalRegistry {
  host: string;
  push: (ref: string, platforms: string[], options?: { content?: string }) => Promise<string>;
  stop: () => Promise<void>;
}

export async function startLocalRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-registry-"));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  writeFileSync(
    join(dir, "config.yml"),
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n`,
  );
  const child: ChildProcess = spawn(registryBinary(), ["serve", join(dir, "config.yml")], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitFor(async () => (await fetch(`http://${host}/v2/`)).ok, 10_000, "docker-registry did not start");
  let counter = 0;
  return {
    host,
    push: async (ref, platforms, options = {}) => {
      const layout = join(dir, `layout-${counter++}`);
      buildLayout(layout, platforms, options.content ?? ref);
      const digestFile = join(layout, "digest");
      await run("skopeo", [
        "--insecure-policy",
        "copy",
        "--all",
        "--preserve-digests",
        "--dest-tls-verify=false",
        "--digestfile",
        digestFile,
        `oci:${layout}:image`,
        `docker://${ref}`,
      ]);
      return readFileSync(digestFile, "utf8").trim();
    },
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The package as GitHub would list it: one version per manifest in the repository, tags on the tagged ones. */
export async function packageVersionsIn(host: string, path: string): Promise<PackageVersion[]> {
  const { tags } = (await (await fetch(`http://${host}/v2/${path}/tags/list`)).json()) as { tags: string[] };
  const byDigest = new Map<string, string[]>();
  const visit = async (reference: string, tag?: string) => {
    const response = await fetch(`http://${host}/v2/${path}/manifests/${reference}`, {
      headers: { accept: MANIFEST_ACCEPT },
    });
    const digest = response.headers.get("docker-content-digest") ?? "";
    const manifest = (await response.json()) as { manifests?: { digest: string }[] };
    byDigest.set(digest, [...(byDigest.get(digest) ?? []), ...(tag ? [tag] : [])]);
    for (const child of manifest.manifests ?? []) if (!byDigest.has(child.digest)) await visit(child.digest);
  };
  for (const tag of tags.sort()) await visit(tag, tag);
  const at = Date.parse("2026-11-19T10:00:00Z");
  return [...byDigest].map(([digest, tagList], index) => ({
    id: 100 + index,
    digest,
    createdAt: at,
    updatedAt: at,
    tags: tagList,
  }));
}

function registryBinary(): string {
  return process.env.DOCKHAND_TEST_REGISTRY_BIN ?? "docker-registry";
}

/** An OCI image layout holding one index with a small image per platform. */
function buildLayout(dir: string, platforms: string[], content: string): void {
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  const put = (bytes: Buffer): { digest: string; size: number } => {
    const hex = createHash("sha256").update(bytes).digest("hex");
    writeFileSync(join(dir, "blobs", "sha256", hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const manifests = platforms.map((platform) => {
    const [os = "linux", architecture = "amd64", variant] = platform.split("/");
    const tar = tarOneFile("hello.txt", `${content} ${platform}\n`);
    const layer = put(gzipSync(tar, { level: 9 }));
    const diffId = `sha256:${createHash("sha256").update(tar).digest("hex")}`;
    const config = put(
      Buffer.from(
        JSON.stringify({
          architecture,
          os,
          ...(variant ? { variant } : {}),
          rootfs: { type: "layers", diff_ids: [diffId] },
          config: {},
        }),
      ),
    );
    const manifest = put(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
          layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...layer }],
        }),
      ),
    );
    return {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      ...manifest,
      platform: { os, architecture, ...(variant ? { variant } : {}) },
    };
  });
  const index = put(
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests })),
  );
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.index.v1+json",
          ...index,
          annotations: { "org.opencontainers.image.ref.name": "image" },
        },
      ],
    }),
  );
}

/** A POSIX tar archive with one regular file, written by hand so builds are reproducible. */
function tarOneFile(name: string, text: string): Buffer {
  const data = Buffer.from(text);
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) =>
    header.write(value.padEnd(length, "\0").slice(0, length), offset, "ascii");
  field(0, 100, name);
  field(100, 8, "0000644");
  field(108, 8, "0000000");
  field(116, 8, "0000000");
  field(124, 12, data.length.toString(8).padStart(11, "0"));
  field(136, 12, "00000000000");
  field(148, 8, "        ");
  field(156, 1, "0");
  field(257, 6, "ustar");
  field(263, 2, "00");
  const checksum = [...header].reduce((sum, byte) => sum + byte, 0);
  field(148, 8, `${checksum.toString(8).padStart(6, "0")}\0 `);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}
