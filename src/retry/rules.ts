/**
 * The registry-failure taxonomy as data. A rule names one failure shape: which operation it hits,
 * whether a second try can fix it, and (for failures a re-run cannot fix) the cause and the fix the
 * PR comment shows. Repositories add their own rules in `.github/dockhand.yml` (`retry.rules`).
 */
export const VERDICTS = ["transient", "permanent", "unrelated"] as const;
export type Verdict = (typeof VERDICTS)[number];

export const OPERATIONS = ["push", "pull", "login", "token", "blob-upload", "manifest", "reference", "build", "runner", "cache", "any"] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface Rule {
  id: string;
  verdict: Exclude<Verdict, "unrelated">;
  operation: Operation;
  /**
   * A regular expression, matched case-insensitively against one log line. Built-in ones run on V8
   * and must not backtrack super-linearly (test/retry/linear-patterns.test.ts holds them to it); a
   * repository's run on RE2 (`repository-pattern.ts`).
   */
  pattern: string;
  /**
   * `self`: the text alone shows a registry or image problem. `registry`: the words are generic
   * (a timeout, a 502, `EOF`), so they count only on a line or step that shows registry work.
   */
  scope: "self" | "registry";
  /** For DNS-like failures: whether the host the line names must be a known registry, or must not be. */
  host?: "known" | "unknown";
  /**
   * Rules whose presence in the same failing step discounts this one: an auth error printed between
   * 5xx answers is the outage's collateral, not a credential problem.
   */
  yieldsTo?: string[];
  /** Rate limits: a re-run within minutes fails again, so the backoff is the long one. */
  wait?: "long";
  cause?: string;
  fix?: string;
}

const STATUS_5XX = String.raw`(?:status(?: code)?:? |statuscode: |from registry |http status: |request to \S+: |request \S* ?)5\d\d\b|\b5\d\d (?:internal server error|bad gateway|service unavailable|gateway time-?out)|\(5\d\d\b`;

/** Built-in rules; more specific ones first, since the first matching rule of a verdict names it. */
export const BUILT_IN_RULES: readonly Rule[] = [
  {
    id: "repository-name-lowercase",
    verdict: "permanent",
    operation: "reference",
    pattern: String.raw`repository name (?:\([^()]*\) )?must be lowercase`,
    scope: "self",
    cause: "The image name has uppercase letters, usually from the owner or repository name; registries accept only lowercase.",
    fix: "Lowercase the image name: docker/metadata-action does it for you, or use `${GITHUB_REPOSITORY,,}` in a shell step.",
  },
  {
    id: "invalid-reference-format",
    verdict: "permanent",
    operation: "reference",
    pattern: String.raw`invalid reference format|failed to parse ref|invalid tag "`,
    scope: "self",
    cause: "The image reference is empty or malformed, typically an unset variable or output (e.g. `ghcr.io/owner/:pr-`).",
    fix: "Print the reference before using it, and take tags from docker/metadata-action's `steps.meta.outputs.tags` rather than building them by hand.",
  },
  {
    id: "reference-does-not-exist",
    verdict: "permanent",
    operation: "reference",
    pattern: String.raw`reference does not exist|no such image:`,
    scope: "self",
    cause: "`docker save` (or `docker tag`/`push`) named an image the local daemon does not have: it was never loaded, or was tagged differently.",
    fix: "Build with `load: true` and save exactly the tag docker/metadata-action produced (`steps.meta.outputs.tags`).",
  },
  {
    id: "permission-denied-write-package",
    verdict: "permanent",
    operation: "push",
    pattern: String.raw`permission_denied|write_package|installation not allowed to create`,
    scope: "self",
    cause: "The token may not write this package.",
    fix: "Add `permissions: packages: write` to the job, and give the repository write access in the package's settings (Manage Actions access).",
  },
  {
    id: "access-denied",
    verdict: "permanent",
    operation: "push",
    pattern: String.raw`(?:^|error: |: )denied: |requested access to the resource is denied|push access denied|insufficient_scope|is not authorized to perform`,
    scope: "self",
    cause: "The registry denied access: the credential may not push to this repository, or the repository name is wrong.",
    fix: "Check the image name and that the logged-in credential may push to it (for ghcr.io: `permissions: packages: write`).",
  },
  {
    id: "unauthorized",
    verdict: "permanent",
    operation: "login",
    pattern: String.raw`\bunauthorized\b|failed with status: 401|status: 401\b`,
    scope: "registry",
    yieldsTo: ["registry-server-error"],
    cause: "The registry rejected the request as unauthenticated: no login, or a wrong or expired credential.",
    fix: "Log in before pushing or pulling, e.g. docker/login-action with `registry: ghcr.io` and `password: ${{ secrets.GITHUB_TOKEN }}`.",
  },
  {
    id: "forbidden",
    verdict: "permanent",
    operation: "push",
    pattern: String.raw`\b403 forbidden\b|status(?:code)?:? 403\b`,
    scope: "registry",
    cause: "The registry refused the request (403): the credential lacks push rights for this repository.",
    fix: "Add `permissions: packages: write` and check the package's Manage Actions access.",
  },
  {
    id: "rate-limited",
    verdict: "transient",
    operation: "pull",
    pattern: String.raw`toomanyrequests|too many requests|pull rate limit`,
    scope: "self",
    wait: "long",
    cause: "The registry rate-limited this runner (Docker Hub limits anonymous pulls per IP).",
    fix: "Log in to Docker Hub before pulling (docker/login-action), or mirror base images to ghcr.io.",
  },
  {
    id: "manifest-unknown",
    verdict: "permanent",
    operation: "manifest",
    pattern: String.raw`manifest unknown|manifest for \S+ not found|name unknown|\bMANIFEST_UNKNOWN\b|\bNAME_UNKNOWN\b`,
    scope: "self",
    cause: "The tag or digest does not exist in the registry.",
    fix: "Check that it was pushed (and not pruned) and the spelling of the name and tag.",
  },
  {
    id: "tag-immutable",
    verdict: "permanent",
    operation: "push",
    pattern: String.raw`TAG_INVALID|tag is immutable|cannot be overwritten`,
    scope: "self",
    cause: "The tag already exists in a repository with immutable tags.",
    fix: "Push a new tag, or allow tag overwrites on the repository.",
  },
  {
    id: "no-space-left",
    verdict: "permanent",
    operation: "runner",
    pattern: String.raw`no space left on device`,
    scope: "self",
    cause: "The runner's disk is full.",
    fix: "Free space before the build (remove unused toolchains such as `/usr/share/dotnet`, run `docker system prune -af`) or use a larger runner.",
  },
  {
    id: "build-step-failed",
    verdict: "permanent",
    operation: "build",
    pattern: String.raw`did not complete successfully: exit code|executor failed running`,
    scope: "self",
    cause: "A `RUN` step of the Dockerfile failed: a build failure, not a registry one.",
    fix: "See the step's output above the error.",
  },
  {
    id: "dns-unknown-host",
    verdict: "permanent",
    operation: "any",
    pattern: String.raw`lookup [a-z0-9.-]+(?: on \S+)?: no such host`,
    scope: "registry",
    host: "unknown",
    cause: "The registry host does not resolve and is not a known registry: probably a typo (e.g. `ghrc.io`).",
    fix: "Check the registry host name in the workflow.",
  },
  {
    id: "registry-client-error",
    verdict: "permanent",
    operation: "any",
    pattern: String.raw`\b(?:400 bad request|405 method not allowed|409 conflict|413 (?:request entity|payload) too large)\b|status(?:code)?:? (?:400|405|409|413)\b`,
    scope: "registry",
    cause: "The registry rejected the request as invalid (4xx).",
    fix: "Check the image name (ghcr.io needs `ghcr.io/OWNER/NAME`) and the version of the pushing tool.",
  },
  {
    id: "registry-server-error",
    verdict: "transient",
    operation: "any",
    pattern: STATUS_5XX,
    scope: "registry",
  },
  {
    id: "blob-upload-lost",
    verdict: "transient",
    operation: "blob-upload",
    pattern: String.raw`blob upload unknown|\bBLOB_UPLOAD_UNKNOWN\b|\bBLOB_UPLOAD_INVALID\b|cannot reuse body, request must be retried`,
    scope: "self",
  },
  {
    id: "connection-dropped",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`connection reset by peer|broken pipe|use of closed network connection|server sent goaway|unexpected eof|(?:^|: )eof"?$|connection refused`,
    scope: "registry",
  },
  {
    id: "network-timeout",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`i/o timeout|tls handshake timeout|connection timed out|client\.timeout exceeded|context deadline exceeded|deadlineexceeded|request canceled|: no response$|timeout awaiting response headers`,
    scope: "registry",
  },
  {
    id: "tls-handshake-failure",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`tls: handshake failure`,
    scope: "registry",
    host: "known",
  },
  {
    id: "dns-lookup-failed",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`no such host|temporary failure in name resolution|server misbehaving`,
    scope: "registry",
    host: "known",
  },
  {
    id: "runner-image-retry",
    verdict: "transient",
    operation: "pull",
    pattern: String.raw`docker (?:pull|build) failed with exit code \d+, back off`,
    scope: "self",
  },
];

/** Text on a line that shows a registry operation: URLs, tool phrases, registry hosts. */
export const REGISTRY_EVIDENCE = new RegExp(
  [
    String.raw`/v2/`,
    String.raw`/v1/images/`,
    String.raw`/token\?[^\s/]*(?:scope|service)=`,
    String.raw`failed commit on ref`,
    String.raw`failed to (?:push|copy|authorize|fetch (?:oauth|anonymous) token|do request)`,
    String.raw`requesting bearer token`,
    String.raw`error pushing|unable to push|pushing (?:the )?blob|failed to pushing`,
    String.raw`upload(?:ing)? (?:the )?layer|upload failed|writing blob|reuse blob|copying (?:system )?(?:image|blob|config)`,
    String.raw`initializing source docker|push refers to repository|error response from daemon|login attempt to`,
    String.raw`unexpected status|unexpected http status|invalid status code from registry|_apis/artifactcache`,
    String.raw`\b(?:ghcr\.io|docker\.io|quay\.io|gcr\.io|pkg\.dev|azurecr\.io|amazonaws\.com|docker\.pkg\.github\.com)\b`,
  ].join("|"),
  "i",
);

/** Output that shows a push or pull is under way: generic errors right after it are registry errors. */
export const TRANSFER_PROGRESS = /^(?:[0-9a-f]{12}: (?:Pushing|Pushed|Preparing|Waiting|Retrying|Layer already exists|Downloading|Pulling)|The push refers to repository|Pushing \[|#\d+ (?:pushing|exporting|writing) )/i;

/** A step whose name or command says it builds, pushes or pulls images. */
export const REGISTRY_STEP =
  /docker[ /-](?:push|pull|login|buildx|build|save|load|tag|image)|build-push|login-action|setup-buildx|buildah|podman (?:push|pull|build|login)|skopeo|\bcrane\b|kaniko|\bjib\b|\bko (?:build|publish)|imagetools|\bpush\b|\bregistry\b|\bghcr\b|\b(?:build|publish)\w* (?:\w+ )?images?\b|\bimages? (?:build|push)/i;

/** Registries whose names a DNS or TLS failure may name and still be a blip, not a typo. */
export const KNOWN_REGISTRY_HOSTS = [
  "ghcr.io",
  "docker.io",
  "*.docker.io",
  "docker.pkg.github.com",
  "*.pkg.github.com",
  "quay.io",
  "gcr.io",
  "*.gcr.io",
  "*.pkg.dev",
  "*.azurecr.io",
  "*.amazonaws.com",
  "registry.gitlab.com",
  "*.actions.githubusercontent.com",
  "localhost",
];
