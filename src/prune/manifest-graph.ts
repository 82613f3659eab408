import type { PackageVersion } from "./package-version.js";

/** How a version hangs off another: what deleting the parent does to it. */
export type EdgeKind = "platform" | "attestation" | "manifest" | "referrer" | "signature";

export interface Edge {
  digest: string;
  kind: EdgeKind;
  /** e.g. `linux/arm64` for an index's platform manifest. */
  platform?: string;
}

export interface ManifestGraph {
  /** parent digest → what it keeps alive: index children, OCI referrers (`subject`), cosign tags. */
  edges: Map<string, Edge[]>;
  /** Digests of versions whose manifest could not be read or understood. */
  unreadable: Set<string>;
  /** Versions that another version of the package references: not images in their own right. */
  referenced: Set<string>;
}

const COSIGN_TAG = /^sha256-([0-9a-f]{64})\.(sig|att|sbom)$/;

const IMAGE_MANIFEST_TYPES = new Set([
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
]);

/**
 * Digests an index declares as image manifests (platform images, buildx attestations): they cannot
 * have children, so their own manifests need not be downloaded to build the graph.
 */
export function declaredLeaves(manifest: unknown): string[] {
  const m = (typeof manifest === "string" ? safeParse(manifest) : manifest) as
    { manifests?: { digest?: unknown; mediaType?: unknown }[] } | undefined;
  if (!Array.isArray(m?.manifests)) return [];
  return m.manifests
    .filter(
      (d) => typeof d.digest === "string" && typeof d.mediaType === "string" && IMAGE_MANIFEST_TYPES.has(d.mediaType),
    )
    .map((d) => d.digest as string);
}

/** The image manifests the indexes in `manifests` declare that are not among them: leaves, left unread. */
export function unreadLeaves(manifests: ReadonlyMap<string, unknown>): Set<string> {
  const leaves = new Set([...manifests.values()].flatMap(declaredLeaves));
  for (const digest of manifests.keys()) leaves.delete(digest);
  return leaves;
}

/** `sha256-<hex>.sig|.att|.sbom`: a cosign signature, attestation or SBOM of that digest. */
export function cosignSubject(tag: string): string | undefined {
  const match = COSIGN_TAG.exec(tag);
  return match ? `sha256:${match[1]}` : undefined;
}

interface Descriptor {
  digest?: unknown;
  platform?: { os?: unknown; architecture?: unknown; variant?: unknown };
  annotations?: Record<string, unknown>;
}

/** The references inside one manifest: an index's children and any OCI `subject`; undefined if not a manifest. */
export function manifestReferences(raw: unknown): { children: Edge[]; subject?: string } | undefined {
  const manifest = typeof raw === "string" ? safeParse(raw) : raw;
  if (typeof manifest !== "object" || manifest === null) return undefined;
  const m = manifest as { manifests?: unknown; layers?: unknown; config?: unknown; subject?: { digest?: unknown } };
  const subject = typeof m.subject?.digest === "string" ? m.subject.digest : undefined;
  if (Array.isArray(m.manifests)) {
    const children: Edge[] = [];
    for (const entry of m.manifests as Descriptor[]) {
      if (typeof entry?.digest !== "string") return undefined;
      children.push(describeChild(entry));
    }
    return { children, ...(subject ? { subject } : {}) };
  }
  if (Array.isArray(m.layers) || typeof m.config === "object") return { children: [], ...(subject ? { subject } : {}) };
  return undefined;
}

function describeChild(entry: Descriptor): Edge {
  const digest = entry.digest as string;
  const os = entry.platform?.os;
  const arch = entry.platform?.architecture;
  const attestation =
    entry.annotations?.["vnd.docker.reference.type"] === "attestation-manifest" ||
    (os === "unknown" && arch === "unknown");
  if (attestation) return { digest, kind: "attestation" };
  if (typeof os === "string" && typeof arch === "string") {
    const variant = typeof entry.platform?.variant === "string" ? `/${entry.platform.variant}` : "";
    return { digest, kind: "platform", platform: `${os}/${arch}${variant}` };
  }
  return { digest, kind: "manifest" };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The package's manifest graph. ghcr.io has no referrers API, so the reverse links (a signature's or
 * attestation's `subject`, a cosign tag's digest) are built here from the manifests themselves.
 */
export function buildManifestGraph(
  versions: PackageVersion[],
  manifests: ReadonlyMap<string, unknown>,
  knownLeaves: ReadonlySet<string> = new Set(),
): ManifestGraph {
  const edges = new Map<string, Edge[]>();
  const unreadable = new Set<string>();
  const present = new Set(versions.map((v) => v.digest));
  const add = (parent: string, edge: Edge) => {
    const list = edges.get(parent);
    if (list) list.push(edge);
    else edges.set(parent, [edge]);
  };
  for (const version of versions) {
    for (const tag of version.tags) {
      const subject = cosignSubject(tag);
      if (subject) add(subject, { digest: version.digest, kind: "signature" });
    }
    const references = manifests.has(version.digest)
      ? manifestReferences(manifests.get(version.digest))
      : knownLeaves.has(version.digest)
        ? { children: [] }
        : undefined;
    if (!references) {
      unreadable.add(version.digest);
      continue;
    }
    for (const child of references.children) add(version.digest, child);
    if (references.subject) add(references.subject, { digest: version.digest, kind: "referrer" });
  }
  // Only links from versions still in the package count: a signature whose image is gone is an orphan.
  const referenced = new Set<string>();
  for (const [parent, list] of edges) if (present.has(parent)) for (const edge of list) referenced.add(edge.digest);
  return { edges, unreadable, referenced };
}
