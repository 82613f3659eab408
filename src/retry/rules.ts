/**
 * The registry-failure taxonomy as data. A rule names one failure shape: which operation it hits,
 * whether a second try can fix it, and (for failures a re-run cannot fix) the cause and the fix the
 * PR comment shows. Repositories add their own rules in `.github/dockhand.yml` (`retry.rules`).
 */
import type { Operation } from "../config/registry-operations.js";

export const VERDICTS = ["transient", "permanent", "unrelated"] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Rule {
  id: string;
  verdict: Exclude<Verdict, "unrelated">;
  operation: Operation;
  /**
   * A regular expression, matched case-insensitively against one log line. Built-in ones run on V8
   * and must not backtrack super-linearly (test/retry/linear-patterns.test.ts holds them to it); a
   * repository's run on RE2 (`config/repository-pattern.ts`).
   */
  pattern: string;
  /**
   * `self`: the text alone shows a registry or image problem. `registry`: the words are generic
   * (a timeout, a 502, `EOF`), so they count only on a line or step that shows registry work.
   */
  scope: "self" | "registry";
  /**
   * Whether the host the line names (or, failing that, the lines just before it) matters:
   * `known`: it must be a known registry. `known-or-unnamed`: it must not be a host outside the known
   * registries (a self-hosted registry that times out or refuses is more often down or misconfigured
   * than flaky). `unknown`: it must be named and not be a known registry. `near-miss`: it must be one or
   * two edits from a known registry (a typo); the fix then says which one.
   */
  host?: "known" | "known-or-unnamed" | "unknown" | "near-miss";
  /**
   * Rules whose presence in the same failing step discounts this one: an auth error printed between
   * 5xx answers is the outage's collateral, not a credential problem.
   */
  yieldsTo?: string[];
  /**
   * The line only reports that the command above it failed (the runner's retry notice): it counts
   * only when none of the lines just before it is another tool's failure (the Docker daemon's socket,
   * a package manager: see NOT_REGISTRY_LINE), which would be the cause it restates.
   */
  restatesAbove?: true;
  /** Rate limits: a re-run within minutes fails again, so the backoff is the long one. */
  wait?: "long";
  cause?: string;
  fix?: string;
}

/**
 * A 5xx answer in the words of docker, containerd/buildkit, containers/image, go-containerregistry,
 * docker-py and the v1 clients, and distribution's `UNAVAILABLE` error code as docker (`unavailable: …`),
 * go-containerregistry (`UNAVAILABLE: …`) or a raw body print it.
 */
const STATUS_5XX = String.raw`(?:status(?: ?code)?:? |statuscode: |from registry |http (?:status|code):? |request to \S+: |request \S* ?|error response |fetching blob |returned |server error:? )5\d\d\b|\(5\d\d\b|\b5\d\d server error\b|\b(?:bad gateway|service (?:temporarily )?unavailable|gateway time-?out|internal server error)\b|(?:^|: )unavailable: |"code": ?"unavailable"`;

/** Failures that say nothing but "this host could not be reached": a typo when the host is one or two edits from a registry. */
const UNREACHABLE = String.raw`connection refused|i/o timeout|tls handshake timeout|connection timed out|context deadline exceeded|deadlineexceeded|client\.timeout exceeded|timeout awaiting response headers|x509: |remote error: tls|tls: handshake failure|network is unreachable|no route to host`;

/** Built-in rules; more specific ones first, since the first matching rule of a verdict names it. */
export const BUILT_IN_RULES: readonly Rule[] = [
  {
    id: "repository-name-lowercase",
    verdict: "permanent",
    operation: "reference",
    pattern: String.raw`repository name (?:\([^()]*\) )?must be lowercase`,
    scope: "self",
    cause:
      "The image name has uppercase letters, usually from the owner or repository name; registries accept only lowercase.",
    fix: "Lowercase the image name: docker/metadata-action does it for you, or use `${GITHUB_REPOSITORY,,}` in a shell step.",
  },
  {
    id: "invalid-reference-format",
    verdict: "permanent",
    operation: "reference",
    pattern: String.raw`invalid reference format|failed to parse ref|invalid tag "|could not parse reference`,
    scope: "self",
    cause:
      "The image reference is empty or malformed, typically an unset variable or output (e.g. `ghcr.io/owner/:pr-`).",
    fix: "Print the reference before using it, and take tags from docker/metadata-action's `steps.meta.outputs.tags` rather than building them by hand.",
  },
  {
    id: "reference-does-not-exist",
    verdict: "permanent",
    operation: "reference",
    pattern: String.raw`reference does not exist|no such image:`,
    scope: "self",
    cause:
      "`docker save` (or `docker tag`/`push`) named an image the local daemon does not have: it was never loaded, or was tagged differently.",
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
    pattern: String.raw`(?:^|error: |: )denied(?:: |\.?$)|requested access to the resource is denied|push access denied|insufficient_scope|is not authorized to perform|does not exist or no pull access`,
    scope: "self",
    cause:
      "The registry denied access: the credential may not push to this repository, or the repository name is wrong.",
    fix: "Check the image name and that the logged-in credential may push to it (for ghcr.io: `permissions: packages: write`).",
  },
  {
    id: "login-credentials-missing",
    verdict: "permanent",
    operation: "login",
    pattern: String.raw`username and password required|no basic auth credentials`,
    scope: "self",
    cause:
      "No registry credentials reached the client: an empty secret (workflows from forks get none), or a login for another registry or region.",
    fix: "Log in to this exact registry host before the push or pull, with a secret the workflow receives (forks' pull requests get no secrets).",
  },
  {
    id: "unauthorized",
    verdict: "permanent",
    operation: "login",
    pattern: String.raw`\bunauthorized\b|failed with status: 401|status: 401\b`,
    scope: "registry",
    yieldsTo: ["registry-server-error", "auth-after-manifest"],
    cause: "The registry rejected the request as unauthenticated: no login, or a wrong or expired credential.",
    fix: "Log in before pushing or pulling, e.g. docker/login-action with `registry: ghcr.io` and `password: ${{ secrets.GITHUB_TOKEN }}`.",
  },
  {
    id: "forbidden",
    verdict: "permanent",
    operation: "push",
    pattern: String.raw`\b403 forbidden\b|status(?:code)?:? 403\b|\b403 \(forbidden\)|\bhttp 403 response\b`,
    scope: "registry",
    cause: "The registry refused the request (403): the credential lacks push rights for this repository.",
    fix: "Add `permissions: packages: write` and check the package's Manage Actions access.",
  },
  {
    id: "rate-limited",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`toomanyrequests|pull rate limit|too many requests to (?:upstream )?registry`,
    scope: "self",
    wait: "long",
    cause:
      "The registry answered `toomanyrequests`: it rate-limited this runner's requests (Docker Hub limits pulls per IP, or per account when logged in; ghcr.io and other registries limit requests per token and IP).",
    fix: "Dockhand waits `retry.backoff.rateLimitSeconds` before the re-run. For Docker Hub, log in before pulling (docker/login-action) or mirror base images to ghcr.io; for ghcr.io, spread pushes and pulls over fewer parallel jobs.",
  },
  {
    id: "throttled",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`too many requests|\brate exceeded\b|throttlingexception`,
    scope: "registry",
    wait: "long",
    cause: "The registry or its token service throttled this runner's requests.",
    fix: "Log in before pulling, spread the pulls out, or mirror the images to a registry of your own.",
  },
  {
    id: "manifest-unknown",
    verdict: "permanent",
    operation: "manifest",
    pattern: String.raw`manifest unknown|manifest for \S+ not found|name unknown|\bMANIFEST_UNKNOWN\b|\bNAME_UNKNOWN\b|no such manifest\b|failed to (?:resolve source metadata for \S+|create llb definition:) \S+ not found`,
    scope: "self",
    cause: "The tag or digest does not exist in the registry.",
    fix: "Check that it was pushed (and not pruned) and the spelling of the name and tag.",
  },
  {
    id: "platform-not-published",
    verdict: "permanent",
    operation: "pull",
    pattern: String.raw`no matching manifest for \S+ in the manifest list|no match for platform in manifest|no image found in (?:manifest list|image index) for architecture|image architecture mismatch`,
    scope: "self",
    cause: "The image exists, but not for this runner's platform (e.g. `linux/arm64`).",
    fix: "Publish the image for that platform (`platforms:` with docker/setup-qemu-action), or pull with `--platform`.",
  },
  {
    id: "manifest-invalid",
    verdict: "permanent",
    operation: "manifest",
    // distribution's MANIFEST_INVALID as each client prints it, and the schema or media type a registry refuses.
    pattern: String.raw`\bMANIFEST_INVALID\b|manifest invalid|manifest schema version not supported|unsupported manifest media type`,
    scope: "self",
    cause:
      "The registry refused the manifest: its format, schema version or media types are ones this registry does not accept.",
    fix: "Push a format the registry accepts (e.g. Docker v2 schema 2 or OCI with compressed layers); the pushing tool usually has an option for it.",
  },
  {
    id: "image-policy",
    verdict: "permanent",
    operation: "pull",
    // containers/image (podman, buildah, skopeo) refusing by the machine's own policy, before or after asking the registry.
    pattern: String.raw`short-name resolution enforced|source image rejected|a signature was required|invalid policy in|default policy is missing`,
    scope: "self",
    cause:
      "The machine's image policy refused the image: a short name where a full one is required, a missing signature, or a broken `policy.json`.",
    fix: "Use the fully qualified image name (`docker.io/library/alpine`), or fix `/etc/containers/policy.json` and `registries.conf`.",
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
    id: "insecure-registry",
    verdict: "permanent",
    operation: "any",
    // Go's words for each side of the mismatch: HTTPS asked of a plain port, plain HTTP of a TLS one.
    pattern: String.raw`server gave http response to https client|first record does not look like a tls handshake|malformed http response "\\x15\\x03`,
    scope: "self",
    cause: "The registry answers plain HTTP where the client spoke HTTPS, or the other way round.",
    fix: 'Serve the registry over TLS, or declare it insecure to the client (buildkitd.toml `[registry."host"] http = true`, or daemon.json `insecure-registries`).',
  },
  {
    id: "local-resolver-refused",
    verdict: "permanent",
    operation: "runner",
    // Nobody answers DNS on this machine's own resolver address: its setup, not the registry (a resolver that
    // answers slowly or says "try again" is another matter, and stays with `dns-lookup-failed`).
    pattern: String.raw`lookup [a-z0-9.-]+ on (?:\[::1\]|127\.\d{1,3}\.\d{1,3}\.\d{1,3}):53: [^\n]{0,120}?connection refused`,
    scope: "self",
    cause:
      "The runner's local DNS resolver refused the lookup: nothing answers on its loopback resolver address, so no host resolves.",
    fix: "Fix the machine's DNS: restart Docker Desktop or systemd-resolved, or set a DNS server (daemon.json `dns`, /etc/resolv.conf).",
  },
  {
    id: "registry-host-typo",
    verdict: "permanent",
    operation: "any",
    // Unreachable, or reached and answering a web page where a registry answers JSON (a parked domain).
    pattern: String.raw`${UNREACHABLE}|invalid character '<' looking for beginning of value`,
    scope: "registry",
    host: "near-miss",
    cause:
      "The registry host cannot be reached, or answers with a web page instead of the registry API, and its name is one or two letters away from a known registry: probably a typo.",
    fix: "Correct the registry host in the workflow.",
  },
  {
    id: "untrusted-certificate",
    verdict: "permanent",
    operation: "any",
    pattern: String.raw`x509: certificate (?:signed by unknown authority|is valid for|is not valid|has expired)|tls: failed to verify certificate`,
    scope: "registry",
    cause:
      "The client does not trust the registry's TLS certificate (a private CA, a name mismatch or an expired certificate).",
    fix: "Give the client the registry's CA (buildkitd.toml `ca`, `/etc/docker/certs.d/HOST/ca.crt`), or fix the certificate.",
  },
  {
    id: "registry-unhealthy",
    verdict: "permanent",
    operation: "any",
    pattern: String.raw`health check failed: please see /debug/health`,
    scope: "self",
    cause: "A self-hosted registry reports itself unhealthy: its storage is missing, full or unreachable.",
    fix: "Check the registry's storage (e.g. the `/var/lib/registry` volume) and its `/debug/health` endpoint.",
  },
  {
    id: "dns-unknown-host",
    verdict: "permanent",
    operation: "any",
    pattern: String.raw`lookup [a-z0-9.-]+(?: on \S+)?: no such host|could not resolve host:? [a-z0-9.-]+|getaddrinfo enotfound [a-z0-9.-]+`,
    scope: "registry",
    host: "unknown",
    cause: "The registry host does not resolve and is not a known registry: probably a typo (e.g. `ghrc.io`).",
    fix: "Check the registry host name in the workflow.",
  },
  {
    id: "registry-not-found",
    verdict: "permanent",
    operation: "any",
    pattern: String.raw`\b404 not found\b|status(?: ?code)?:? 404\b|\b404 \(not found\)`,
    scope: "registry",
    cause: "The registry answered 404: the repository, path or API endpoint does not exist there.",
    fix: "Check the image name (including any repository key or project a registry needs in the path) and the registry URL.",
  },
  {
    id: "registry-client-error",
    verdict: "permanent",
    operation: "any",
    pattern: String.raw`\b(?:400 bad request|405 method not allowed|409 conflict|412 precondition failed|413 (?:request entity|payload) too large)\b|(?:status(?: ?code)?:? |returned )(?:400|405|409|412|413)\b|\bBLOB_UPLOAD_INVALID\b`,
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
    id: "registry-front-error",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`error parsing http (?:404|405|5\d\d) response body`,
    scope: "self",
  },
  {
    id: "registry-unavailable",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`could not reach any registry endpoint|error response is received from the docker registry|can't talk to a v1 container registry`,
    scope: "self",
  },
  {
    id: "registry-unknown-error",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`\bunknown: (?:"?unknown(?: error)?"?|unable to determine)`,
    scope: "self",
    host: "known-or-unnamed",
  },
  {
    id: "auth-after-manifest",
    verdict: "transient",
    operation: "pull",
    pattern: String.raw`image configuration: .{0,100}\bunauthorized\b`,
    scope: "self",
  },
  {
    id: "blob-upload-lost",
    verdict: "transient",
    operation: "blob-upload",
    pattern: String.raw`blob upload unknown|\bBLOB_UPLOAD_UNKNOWN\b|cannot reuse body, request must be retried|error writing layer blob: not_found`,
    scope: "self",
  },
  {
    id: "blob-unknown",
    verdict: "transient",
    operation: "pull",
    pattern: String.raw`\bunknown blob\b`,
    scope: "self",
  },
  {
    id: "transfer-truncated",
    verdict: "transient",
    operation: "any",
    // containerd's content store (buildkit, nerdctl, ctr), jib's HTTP client and .NET's: fewer bytes arrived than were announced.
    pattern: String.raw`failed size validation|unexpected commit size|premature end of content-length delimited message body|response ended prematurely`,
    scope: "registry",
  },
  {
    id: "connection-dropped",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`connection reset\b|broken pipe|use of closed network connection|server sent goaway|http2: client connection (?:lost|force closed)|stream error: stream id \d+; (?:internal_error|refused_stream|protocol_error)|server closed idle connection|transport connection broken|tls: bad record mac|forcibly closed by the remote host|underlying connection was closed|remote host (?:terminated|closed connection during) the handshake|remote end closed connection without response|failed to respond\b|unexpected eof|(?:^|: )eof["')\]]{0,3}\.?[ \t\r]*$`,
    scope: "registry",
  },
  {
    id: "connection-refused",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`connection refused`,
    scope: "registry",
    host: "known-or-unnamed",
  },
  {
    id: "network-timeout",
    verdict: "transient",
    operation: "any",
    pattern: String.raw`i/o timeout|connection timed out|client\.timeout (?:exceeded|or context cancellation)|context deadline exceeded|deadlineexceeded|request canceled|: no response$|timeout awaiting response headers|(?:read|connect) timed out|operation (?:has )?timed out|network timed out while trying to connect|status(?: ?code)?:? 408\b|\b408 request time-?out\b`,
    scope: "registry",
    host: "known-or-unnamed",
  },
  {
    id: "tls-handshake-timeout",
    verdict: "transient",
    operation: "any",
    // The host took the connection and was slow to finish the handshake: up and reachable, so not the down
    // or misconfigured registry the host condition of `network-timeout` guards against (which refuses,
    // never answers, or fails the handshake outright).
    pattern: String.raw`tls handshake timeout`,
    scope: "registry",
  },
  {
    id: "request-canceled",
    verdict: "transient",
    operation: "any",
    // Go's words when a request is given up on (kubelet's or buildkit's deadline); anywhere but a known registry it is too common to mean anything.
    pattern: String.raw`context canceled`,
    scope: "registry",
    host: "known",
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
    restatesAbove: true,
  },
];

/**
 * Text on a line that shows a registry operation, in the words of each client: docker and dockerd,
 * buildx/buildkit and containerd (`failed to push`, `failed commit on ref`, `httpReadSeeker`),
 * podman/skopeo/buildah (containers/image: `initializing source docker://`, `trying to reuse blob`),
 * crane/kaniko/ko (go-containerregistry: `unrecognized HTTP status`), oras and helm (`/v2/` URLs),
 * docker-py, the .NET SDK, jib, the v1 API, and ECR's token call. A `/v2/` counts only at the root of
 * a path (a REST API's `/api/v2/` is not a registry's); a DNS lookup of a known registry counts too
 * (see `classify-log.ts`).
 */
export const REGISTRY_EVIDENCE = new RegExp(
  [
    // The registry API's root: right after a host (with or without a scheme), or a path of its own.
    String.raw`://[^/\s"']+/v[12]/|(?:^|[\s"'(\[])[a-z0-9.-]+(?::\d+)?/v2/|(?:^|[\s"'(])/v2/`,
    String.raw`/token\?[^\s/]*(?:scope|service)=`,
    String.raw`failed commit on ref`,
    String.raw`failed to (?:push|copy: |authorize|fetch (?:oauth|anonymous) token|do request|resolve source metadata|resolve reference|pull (?:and unpack )?image)`,
    String.raw`requesting bearer token|pinging container registry|trying to reuse blob|initiating layer upload`,
    String.raw`error pushing|unable to push|pushing (?:the )?blob|failed to pushing|error pulling image|pulling image failed|unable to pull image|pulling from host`,
    String.raw`upload(?:ing)? (?:the )?(?:layer|manifest|blob)|upload failed, retrying|writing (?:blob|manifest)|reuse blob|copying (?:system )?(?:image|blob|config)|reading (?:manifest|blob|config blob)|error reading blob|parsing image configuration`,
    String.raw`initializing source docker|push refers to repository|error response from daemon|login attempt to|trying to (?:pull|push) repository|while (?:uploading|fetching image layer)`,
    String.raw`received unexpected http status|unexpected status(?: code)? (?:https?://|from (?:get|head|put|post|patch|delete) request)|unexpected status: \d|unrecognized http status|invalid status code (?:from registry|returned when fetching)`,
    String.raw`error parsing http \d\d\d response body|bad response from registry|getauthorizationtoken|\[registry\] |(?:^|: )unauthorized: `,
    // A pull in the words of kaniko (its base image or a stage's filesystem), the kubelet and ECS, podman and ctr.
    String.raw`failed to get filesystem from image|extracting fs from image|error building stage: (?:(?:read|write|dial) tcp|stream error|get |head )|errimagepull|imagepullbackoff|back-off pulling image|cannotpullcontainererror|unable to pull (?:image|docker://|[a-z0-9.-]+(?::\d+)?/)|\bctr\b[^"\n]{0,60} content fetch\b`,
    // jib (its Maven and Gradle goals, its registry calls), the daemon's pull retries, kaniko's push check.
    String.raw`jib-(?:maven|gradle)-plugin|com\.google\.cloud\.tools[.:]jib|i/o error for image \[|tried to (?:push|pull|check) (?:blob|image|manifest)|download failed after attempts=|checking push permission|failed to perform "\w+" on (?:source|destination)`,
  ].join("|"),
  "i",
);

/**
 * Lines that are not a registry client's, whatever words they share with one: language package
 * managers (npm, pip, Maven, Gradle, cargo, apt, go), curl and wget, git (a push of refs), the Docker daemon's own API socket,
 * and the daemon's container runtime (a container that cannot start is not a pull). Generic words on
 * them never count, and neither do self-evident ones (an npm `429 Too Many Requests` is npm's).
 */
export const NOT_REGISTRY_LINE =
  /npm (?:err!|error|warn)\b|retrying \(retry\(total=|spurious network error|could not (?:transfer|resolve) (?:artifact|dependencies)|could not (?:get|head|put|download) '|^curl: \(\d+\) |^wget: |^connecting to \S+ \(|^(?:e|w): |^err:\d+ |^go: |failed to push some refs|\[remote rejected\]|(?:^|: )remote: |rpc failed; http|the requested url returned error|error during connect|\/var\/run\/docker\.sock|unixhttpconnectionpool|cannot connect to the docker daemon|oci runtime|shim task|failed to create task|driver failed programming|is already in use by container/i;

/** Hosts that serve packages, files or caches, not images: a request to one is never a registry operation. */
export const NOT_REGISTRY_HOSTS = [
  "registry.npmjs.org",
  "registry.yarnpkg.com",
  "pypi.org",
  "*.pypi.org",
  "files.pythonhosted.org",
  "proxy.golang.org",
  "sum.golang.org",
  "goproxy.cn",
  "goproxy.io",
  "repo.maven.apache.org",
  "repo1.maven.org",
  "*.sonatype.org",
  "plugins.gradle.org",
  "services.gradle.org",
  "rubygems.org",
  "crates.io",
  "*.crates.io",
  "*.ubuntu.com",
  "*.debian.org",
  "dl-cdn.alpinelinux.org",
  "api.github.com",
  "codeload.github.com",
  "objects.githubusercontent.com",
  "download.docker.com",
  "get.docker.com",
  "dl.google.com",
  "*.nuget.org",
  "npm.pkg.github.com",
  "maven.pkg.github.com",
  "nuget.pkg.github.com",
  "rubygems.pkg.github.com",
  "*-npm.pkg.dev",
  "*-python.pkg.dev",
  "*-maven.pkg.dev",
  // GitHub Actions' own services (the cache buildkit's `type=gha` exports to, job logs, OIDC): not registries.
  "*.actions.githubusercontent.com",
];

/** Buildkit's output of a command it runs (`#12 3.217 npm ERR! …`): what the build's own `RUN` printed. */
export const RUN_OUTPUT = /^#\d+ \d+\.\d+ /;

/** Buildkit steps (the first `#N …` line of step N) that are registry work, and ones that never are. */
export const REGISTRY_VERTEX =
  /^(?:\[[^\]]{0,200}\] FROM |pushing|exporting|writing image|resolve |\[internal\] load metadata for|\[auth\]|importing cache|naming to)/i;
export const BUILD_VERTEX =
  /^(?:\[[^\]]{0,200}\] (?:RUN|COPY|ADD)\b|\[internal\] load (?:build context|build definition|\.dockerignore))/i;

/** Output that shows a push or pull is under way: generic errors right after it are registry errors. */
export const TRANSFER_PROGRESS =
  /^(?:[0-9a-f]{12}: (?:Pushing|Pushed|Preparing|Waiting|Retrying|Layer already exists|Downloading|Pulling fs layer|Verifying Checksum|Download complete|Extracting|Pull complete)|The push refers to repository|Pushing \[|\S+: Pulling from |#\d+ (?:pushing|exporting|writing|resolve |\[internal\] load metadata|\[auth\]|importing cache)|Copying (?:blob|config) |Writing manifest to image destination|Getting image source signatures|(?:INFO\[\d+\] )?(?:Pushing|Pushed) image to|Retrieving image manifest|existing blob|pushed blob|(?:Uploading|Uploaded|Downloading|Downloaded) +[0-9a-f]{12} |(?:\[INFO\] )?Containerizing application to |Step \d{1,6}\/\d{1,6} : FROM )/i;

/** A step whose name or command says it builds, pushes or pulls images. */
export const REGISTRY_STEP =
  /docker[ /-](?:push|pull|login|buildx|build|save|load|tag|image)|build-push|login-action|setup-buildx|buildah|podman (?:push|pull|build|login)|skopeo|\bcrane\b|kaniko|\bjib\b|\bko (?:build|publish)|imagetools|\boras\b|\bhelm (?:push|pull|registry)|\bnerdctl\b|\bregctl\b|\bcosign\b|\bpush\b|\bregistry\b|\bghcr\b|\b(?:build|publish)\w* (?:\w+ )?images?\b|\bimages? (?:build|push)|docker[ -]compose (?:push|pull|build)|build-?image\b|\bpack build\b/i;

/**
 * Registries whose failures may be a blip: a timeout, a refused connection or a failed DNS lookup
 * there is worth a re-run, elsewhere it is not. `*` stands for one or more characters. The blob
 * stores registries redirect to are here too (Docker Hub's and GHCR's CDNs, ECR's S3 buckets), and
 * only the container parts of clouds that also serve packages or storage (`*-docker.pkg.dev`, not
 * `*.pkg.dev`; ECR, not all of `amazonaws.com`).
 * Operators add theirs with `DOCKHAND_REGISTRIES`, the CLI with `--registry`.
 */
export const KNOWN_REGISTRY_HOSTS = [
  "ghcr.io",
  "pkg-containers.githubusercontent.com",
  "docker.pkg.github.com",
  "docker.io",
  "*.docker.io",
  "registry.hub.docker.com",
  "hub.docker.com",
  "production.cloudflare.docker.com",
  // Docker's own site (the rate limit's link, its auth and download hosts): never a typo of docker.io.
  "*.docker.com",
  "docker-images-prod.*.r2.cloudflarestorage.com",
  "quay.io",
  "*.quay.io",
  "gcr.io",
  "*.gcr.io",
  "*-docker.pkg.dev",
  "mcr.microsoft.com",
  "*.mcr.microsoft.com",
  "*.azurecr.io",
  "*.azurecr.cn",
  "*.azurecr.us",
  "*dkr.ecr.*.amazonaws.com",
  "*dkr.ecr.*.amazonaws.com.cn",
  "api.ecr.*.amazonaws.com",
  "*starport-layer-bucket.s3.amazonaws.com",
  "*starport-layer-bucket.s3.*.amazonaws.com",
  "public.ecr.aws",
  "registry.gitlab.com",
  "nvcr.io",
  "registry.k8s.io",
  "*.registry.k8s.io",
  "registry.access.redhat.com",
  "registry.redhat.io",
  "icr.io",
  "*.icr.io",
  "*.ocir.io",
  "registry.suse.com",
  "registry*.aliyuncs.com",
  "dockerauth*.aliyuncs.com",
  "*.mirror.aliyuncs.com",
  "*.cr.aliyuncs.com",
  "registry.digitalocean.com",
  // Other public registries that serve only images (a host that also serves packages or files would make
  // every download from it registry work).
  "cgr.dev",
  "lscr.io",
  "docker.elastic.co",
  "container-registry.oracle.com",
  "registry.connect.redhat.com",
  "registry.fedoraproject.org",
  "registry.opensuse.org",
  "*.tencentcloudcr.com",
  "ccr.ccs.tencentyun.com",
  "swr.*.myhuaweicloud.com",
  "rg.*.scw.cloud",
  "registry.heroku.com",
  "registry.fly.io",
  "localhost",
];
