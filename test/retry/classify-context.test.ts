import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyLog, explainLog } from "../../src/retry/classify-log.js";
import { compileRules } from "../../src/retry/rule-set.js";

const rules = compileRules();
const at = (i: number) => `2026-11-20T11:00:${String(i % 60).padStart(2, "0")}.0000000Z `;
/** A GitHub job log: a failing step with this command and output, then the error marker. */
const step = (command: string, output: string[], error = "Process completed with exit code 1.") =>
  [`##[group]Run ${command}`, "##[endgroup]", ...output, `##[error]${error}`]
    .map((line, i) => `${at(i)}${line}`)
    .join("\n");
const filler = (n: number) => Array.from({ length: n }, (_, i) => `#7 ${i}.0${i} compiling module ${i}`);

describe("the step's context, not one line", () => {
  it("a command the build runs prints a generic error: only its own words count, even in a push step", () => {
    const log = step(
      "docker/build-push-action@v6",
      [
        "#11 [builder 3/6] RUN ./mvnw package",
        '#11 133.3 Exception in thread "main" java.net.ConnectException: Connection timed out',
      ],
      "buildx failed with: ERROR: failed to solve: failed to build",
    );
    const got = explainLog(log, {}, rules);
    assert.equal(got.result.verdict, "unrelated");
    const why = got.explanation.passes.flatMap((p) => p.lines).find((l) => l.text.includes("Connection timed out"));
    assert.match(why?.matches.find((m) => m.rule === "network-timeout")?.why ?? "", /command the build ran/);
  });

  it("an EOF in buildkit's build-context step is not registry work, though the step pushes", () => {
    const log = step(
      "docker/build-push-action@v6",
      [
        "#8 [internal] load build context",
        "#8 transferring context: 2.1MB 0.3s",
        "#8 ERROR: rpc error: code = Internal desc = unexpected EOF",
      ],
      "buildx failed with: ERROR: failed to solve: failed to build",
    );
    assert.equal(classifyLog(log, {}, rules).verdict, "unrelated");
  });

  it("an EOF in buildkit's push step is, however far below the step's first line and whatever the shell step is called", () => {
    const log = step("./release.sh", ["#14 exporting to image", "#14 pushing layers", ...filler(30), "#14 ERROR: EOF"]);
    const got = explainLog(log, {}, rules);
    assert.equal(got.result.verdict, "transient");
    assert.equal(got.result.rule, "connection-dropped");
    assert.match(
      got.explanation.passes.at(-1)?.lines.at(-1)?.matches[0]?.why ?? "",
      /buildkit step #14 \(`exporting to image`\)/,
    );
  });

  it("a package manager's rate limit or reset inside a registry step is not the registry's", () => {
    const npm = step("docker build -t ghcr.io/o/app . && docker push ghcr.io/o/app", [
      "Step 5/9 : RUN npm ci",
      "npm ERR! 429 Too Many Requests - GET https://registry.npmjs.org/left-pad",
    ]);
    assert.equal(classifyLog(npm, {}, rules).verdict, "unrelated");
    const pip = step("docker build -t ghcr.io/o/app . && docker push ghcr.io/o/app", [
      "Step 4/9 : RUN pip install -r requirements.txt",
      "ERROR: Could not install packages due to an OSError: HTTPSConnectionPool(host='files.pythonhosted.org', port=443): Max retries exceeded (Caused by ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))",
    ]);
    assert.equal(classifyLog(pip, {}, rules).verdict, "unrelated");
  });

  it("the Docker daemon's own socket failing is not a registry failure, though the request names gcr.io", () => {
    const line =
      'build artifact: docker build: error during connect: Post "https://127.0.0.1:32769/v1.24/build?t=gcr.io%2Fproj%2Fapp%3Av1": EOF';
    assert.equal(classifyLog(line, { failedSteps: ["Build and push image"] }, rules).verdict, "unrelated");
  });
});

describe("hosts", () => {
  it("a known registry's timeout is transient, an unknown host's is not, until it is declared a registry", () => {
    const log = step("docker push registry.corp.example/app:pr-7", [
      "The push refers to repository [registry.corp.example/app]",
      'Get "https://registry.corp.example/v2/": dial tcp 10.0.0.7:443: i/o timeout',
    ]);
    assert.equal(classifyLog(log, {}, rules).verdict, "unrelated");
    assert.equal(classifyLog(log.replaceAll("registry.corp.example", "ghcr.io"), {}, rules).verdict, "transient");
    const declared = classifyLog(log, {}, compileRules([], ["registry.corp.example"]));
    assert.equal(declared.verdict, "transient");
    assert.equal(declared.rule, "network-timeout");
  });

  it("a refused connection is a blip on a known registry, a setup problem on a private address", () => {
    assert.equal(
      classifyLog(
        'Error response from daemon: Get "https://ghcr.io/v2/": dial tcp 140.82.112.34:443: connect: connection refused',
        {},
        rules,
      ).verdict,
      "transient",
    );
    assert.equal(
      classifyLog(
        "Get https://10.100.198.200:5000/v2/: dial tcp 10.100.198.200:5000: getsockopt: connection refused",
        {},
        rules,
      ).verdict,
      "unrelated",
    );
  });

  it("a DNS failure on a known registry is a blip (us.icr.io), on a near miss a typo with the name it meant", () => {
    assert.equal(
      classifyLog(
        "Head https://us.icr.io/v2/o/app/blobs/sha256:cb91: dial tcp: lookup us.icr.io on 172.21.0.10:53: no such host",
        {},
        rules,
      ).verdict,
      "transient",
    );
    const typo = classifyLog(
      'Error response from daemon: Get "https://gchr.io/v2/": dial tcp: lookup gchr.io on 127.0.0.53:53: no such host',
      {},
      rules,
    );
    assert.equal(typo.rule, "dns-unknown-host");
    assert.match(typo.fix ?? "", /^Did you mean `ghcr\.io` \(not `gchr\.io`\)\?/);
    const unknown = classifyLog(
      'Get "https://registry.corp.example/v2/": dial tcp: lookup registry.corp.example: no such host',
      {},
      rules,
    );
    assert.equal(unknown.rule, "dns-unknown-host");
    assert.doesNotMatch(unknown.fix ?? "", /Did you mean/);
  });

  const typos: [string, string][] = [
    ['Error response from daemon: Get "https://ghcr.oi/v2/": dial tcp 203.0.113.7:443: i/o timeout', "ghcr.io"],
    [
      'ERROR: failed to push registry-1.docker.oi/o/app:1: failed to do request: Head "https://registry-1.docker.oi/v2/o/app/manifests/1": dial tcp 203.0.113.8:443: connect: connection refused',
      "registry-1.docker.io",
    ],
    [
      'ERROR: failed to push us-central1-docker.pkg.dve/p/r/app:1: failed to authorize: failed to fetch oauth token: Post "https://us-central1-docker.pkg.dve/v2/token": tls: failed to verify certificate: x509: certificate is valid for *.example.net, not us-central1-docker.pkg.dve',
      "us-central1-docker.pkg.dev",
    ],
    [
      'Error response from daemon: Get "https://myacr.azurecr.oi/v2/": net/http: TLS handshake timeout',
      "myacr.azurecr.io",
    ],
    [
      'Error response from daemon: Get "https://123456789012.dkr.ecr.us-east-1.amazonaws.con/v2/": context deadline exceeded',
      "123456789012.dkr.ecr.us-east-1.amazonaws.com",
    ],
  ];
  for (const [line, meant] of typos) {
    it(`a host one or two edits from ${meant} is a typo, whatever the failure says`, () => {
      const got = classifyLog(line, {}, rules);
      assert.equal(got.verdict, "permanent");
      assert.equal(got.rule, "registry-host-typo");
      assert.ok(got.fix?.startsWith(`Did you mean \`${meant}\``), got.fix);
    });
  }
});

describe("lines that share a registry's words but are not a registry's", () => {
  const decoys: [string, string][] = [
    [
      "an npm 429 (`too many requests` counts only where registry work shows)",
      "npm ERR! 429 Too Many Requests - GET https://registry.npmjs.org/left-pad",
    ],
    [
      "a REST API's /v2/ that is not at a path's root",
      "Error: There was an error running the uploader: POST https://codecov.io/upload/v2?token=x: 502 Bad Gateway",
    ],
    [
      "another API's /api/v2/",
      "request to https://api.example.com/api/v2/deployments failed: received unexpected HTTP status: 503 Service Unavailable".replace(
        "received unexpected HTTP status",
        "status",
      ),
    ],
    [
      "the AWS CLI's `upload failed` to S3",
      "upload failed: dist/app.zip to s3://my-bucket/app.zip Connection was closed: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))",
    ],
    [
      "Gradle fetching from GitHub's Maven registry",
      "> Could not GET 'https://maven.pkg.github.com/o/r/com/x/lib/1.0/lib-1.0.pom'. Received status code 502 from server: Bad Gateway",
    ],
    ["npm from GitHub's npm registry", "npm ERR! 502 Bad Gateway - GET https://npm.pkg.github.com/@o%2fpkg"],
  ];
  for (const [name, line] of decoys) {
    it(name, () => {
      assert.equal(classifyLog(line, {}, rules).verdict, "unrelated");
      // Not even as the only output of a registry step.
      assert.notEqual(classifyLog(step("docker/build-push-action@v6", [line]), {}, rules).verdict, "transient");
    });
  }
});

describe("clients' own words for a registry that hiccupped (second round, from their sources)", () => {
  const flakes: [string, string, string][] = [
    [
      "containerd's content store: fewer bytes arrived than the descriptor says (a truncated layer)",
      '#7 ERROR: failed commit on ref "layer-sha256:af19": "layer-sha256:af19" failed size validation: 2718102 != 17699562: failed precondition',
      "transfer-truncated",
    ],
    [
      "containerd's writer in its newer words",
      "ctr: failed to copy: failed to do request: unexpected commit size 1024, expected 4096: failed precondition",
      "transfer-truncated",
    ],
    [
      "jib's Maven goal answered 429 while pulling its base image",
      "[ERROR] Failed to execute goal com.google.cloud.tools:jib-maven-plugin:3.4.0:build (default-cli) on project api: 429 Too Many Requests",
      "throttled",
    ],
    [
      "jib's HTTP client, cut short mid-layer",
      "[ERROR] I/O error for image [registry-1.docker.io/library/eclipse-temurin]: org.apache.http.ConnectionClosedException: Premature end of Content-Length delimited message body (expected: 29721175; received: 28268994)",
      "transfer-truncated",
    ],
    [
      "a TLS handshake that timed out on a registry outside the known list (the host answered: up, not misconfigured)",
      'Error response from daemon: Get "https://registry.corp.example/v2/": net/http: TLS handshake timeout',
      "tls-handshake-timeout",
    ],
    [
      "go-containerregistry printing distribution's UNAVAILABLE error code",
      "PUT https://us-docker.pkg.dev/v2/p/r/app/manifests/v1: UNAVAILABLE: The service is currently unavailable.",
      "registry-server-error",
    ],
    [
      "containers/image's own words for a 429",
      "Error: copying system image from manifest list: reading blob sha256:4f4f: too many requests to registry",
      "rate-limited",
    ],
    [
      "a request to a known registry given up on (Go's context canceled)",
      'Error: initializing source docker://quay.io/o/app:1: pinging container registry quay.io: Get "https://quay.io/v2/": context canceled',
      "request-canceled",
    ],
  ];
  for (const [name, line, rule] of flakes) {
    it(name, () => {
      const got = classifyLog(line, {}, rules);
      assert.equal(got.verdict, "transient");
      assert.equal(got.rule, rule);
    });
  }

  it("jib's I/O error names the registry; the exception's lines below it are the registry's failure", () => {
    const log = step("./mvnw -B jib:build", [
      "[ERROR] I/O error for image [ghcr.io/o/app]:",
      "[ERROR]     java.net.SocketException",
      "[ERROR]     Connection reset",
    ]);
    const got = classifyLog(log, {}, rules);
    assert.equal(got.verdict, "transient");
    assert.equal(got.rule, "connection-dropped");
    // The same words after a test's output are not.
    assert.equal(
      classifyLog(
        step("./mvnw -B verify", ["[ERROR] ApiIT.call:41 java.net.SocketException: Connection reset"]),
        {},
        rules,
      ).verdict,
      "unrelated",
    );
  });

  it("oras's copy errors and progress, jib's progress and a buildpacks or compose pull step show registry work", () => {
    const oras =
      'Error: failed to perform "Copy" on destination: read tcp 10.1.0.4:52144->140.82.114.33:443: read: connection reset by peer';
    assert.equal(classifyLog(oras, {}, rules).verdict, "transient");
    const progress = step("./publish-artifacts.sh", ["Uploading 2c26b46b68ff artifact.tar", "Error: EOF"]);
    assert.equal(classifyLog(progress, {}, rules).verdict, "transient");
    const jib = step("./mvnw -B package", [
      "[INFO] Containerizing application to ghcr.io/o/app...",
      "[ERROR] java.net.SocketException: Connection reset",
    ]);
    assert.equal(classifyLog(jib, {}, rules).verdict, "transient");
    for (const command of [
      "./gradlew bootBuildImage",
      "pack build ghcr.io/o/app --builder paketobuildpacks/builder-jammy-base",
      "docker compose pull",
    ])
      assert.equal(classifyLog(step(command, ["Error: EOF"]), {}, rules).verdict, "transient", command);
  });

  it("HTTP spoken to a TLS port, or TLS to a plain one, is a setup problem however the connection broke", () => {
    for (const line of [
      'Error response from daemon: Get "https://registry.corp.example:5000/v2/": net/http: HTTP/1.x transport connection broken: malformed HTTP response "\\x15\\x03\\x01\\x00\\x02\\x02"',
      'ERROR: failed to push registry.corp.example:5000/app:1: failed to do request: Head "https://registry.corp.example:5000/v2/app/blobs/sha256:ab": tls: first record does not look like a TLS handshake',
    ]) {
      const got = classifyLog(line, {}, rules);
      assert.equal(got.verdict, "permanent", line);
      assert.equal(got.rule, "insecure-registry", line);
    }
  });

  it("a canceled request is transient only on a known registry", () => {
    assert.equal(
      classifyLog('Error: Get "https://registry.corp.example/v2/": context canceled', {}, rules).verdict,
      "unrelated",
    );
    assert.equal(classifyLog("ERROR: failed to solve: context canceled", {}, rules).verdict, "unrelated");
  });

  it("a manifest upload answered 400 BLOB_UNKNOWN is the pushing tool's order, not a flake", () => {
    const got = classifyLog(
      'error: manifest upload https://registry.example.io/v2/app/manifests/latest returned 400: {"errors":[{"code":"BLOB_UNKNOWN","message":"unknown blob sha256:0dae"}]}',
      {},
      rules,
    );
    assert.equal(got.verdict, "permanent");
    assert.equal(got.rule, "registry-client-error");
  });
});

describe("precision: registry hosts and words where no registry is at work", () => {
  it("a request to this machine is no registry's work by its host alone (a test's server, a service container)", () => {
    const refused = 'Error: Get "http://localhost:8080/health": dial tcp 127.0.0.1:8080: connect: connection refused';
    assert.equal(classifyLog(refused, {}, rules).verdict, "unrelated");
    assert.equal(classifyLog(step("docker compose up -d && npm test", [refused]), {}, rules).verdict, "unrelated");
    // A local registry's API is, by its words.
    assert.equal(
      classifyLog(
        'can not push chart to oci registry: failed to do request: Head "http://localhost:37937/v2/charts/x/blobs/sha256:e5": dial tcp [::1]:37937: connect: connection refused',
        {},
        rules,
      ).verdict,
      "transient",
    );
  });

  it("a command the build runs that asks a registry's host without its API's words is the build's own download", () => {
    const log = step(
      "docker/build-push-action@v6",
      [
        "#12 [builder 4/7] RUN ./scripts/fetch-assets.sh",
        '#12 3.217 Get "https://ghcr.io/o/assets/releases/x.tgz": i/o timeout',
      ],
      "buildx failed with: ERROR: failed to solve: failed to build",
    );
    assert.equal(classifyLog(log, {}, rules).verdict, "unrelated");
  });

  it("git pushing refs is not a registry push, whatever the server answered", () => {
    for (const line of [
      "Error: Failed to push to GitHub: remote: Internal Server Error",
      "error: RPC failed; HTTP 502 curl 22 The requested URL returned error: 502 Bad Gateway",
    ])
      assert.equal(classifyLog(step("git push origin HEAD:gh-pages", [line]), {}, rules).verdict, "unrelated", line);
  });
});

describe("the legacy builder's steps", () => {
  const build = [
    "Step 5/9 : RUN curl -fsSL https://example.com/install.sh | sh",
    " ---> Running in 7b1e2f",
    "  % Total    % Received % Xferd  Average Speed",
    "Failed to connect to example.com port 443 after 130 ms: Connection timed out",
  ];
  it("a command's output in a `RUN` step counts only by its own words, even in a push step", () => {
    const log = step("docker build -t ghcr.io/o/app . && docker push ghcr.io/o/app", [
      ...build,
      "The command '/bin/sh -c curl -fsSL https://example.com/install.sh | sh' returned a non-zero code: 28",
    ]);
    const got = explainLog(log, {}, rules);
    assert.equal(got.result.verdict, "unrelated");
    const why = got.explanation.passes
      .flatMap((p) => p.lines)
      .find((l) => l.text.includes("Connection timed out"))
      ?.matches.find((m) => m.rule === "network-timeout")?.why;
    assert.match(why ?? "", /output of a build step's command \(`Step 5\/9 : RUN curl/);
  });

  it("the push after the build is registry work again", () => {
    const log = step("docker build -t ghcr.io/o/app . && docker push ghcr.io/o/app", [
      ...build.slice(0, 3),
      "Removing intermediate container 7b1e2f",
      " ---> 3c4d5e6f7a8b",
      "Successfully built 3c4d5e6f7a8b",
      "Successfully tagged ghcr.io/o/app:latest",
      "The push refers to repository [ghcr.io/o/app]",
      "5f70bf18a086: Pushing [==================>                                ]  40.2MB/108MB",
      "EOF",
    ]);
    assert.equal(classifyLog(log, {}, rules).verdict, "transient");
  });

  it("curl's own errors are curl's, whatever the step is called", () => {
    const log = step("./notify.sh", [
      "curl: (28) Failed to connect to hooks.example.com port 443 after 130001 ms: Connection timed out",
    ]);
    assert.equal(classifyLog(log, { failedSteps: ["Push image and notify"] }, rules).verdict, "unrelated");
  });
});

describe("the Docker daemon's own failures", () => {
  it("a container that cannot start is not a pull, though the daemon says it", () => {
    const line =
      "docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: context deadline exceeded: unknown.";
    assert.equal(classifyLog(line, {}, rules).verdict, "unrelated");
    assert.equal(
      classifyLog(
        step("docker run --rm ghcr.io/o/app:pr-7 ./smoke-test", [line]),
        { failedSteps: ["Pull and smoke-test the image"] },
        rules,
      ).verdict,
      "unrelated",
    );
  });
});

describe("third round: a pull seen only through the client's own words", () => {
  it("kaniko fetching a base image or a stage's filesystem: a network error there is a registry flake", () => {
    for (const line of [
      "error building image: error building stage: failed to get filesystem from image: read tcp 10.0.0.5:41234->140.82.112.33:443: read: connection reset by peer",
      "error building image: error building stage: failed to execute command: extracting fs from image: stream error: stream ID 7; PROTOCOL_ERROR",
      "error building image: error building stage: write tcp 10.0.0.5:41234->140.82.112.33:443: write: broken pipe",
    ])
      assert.equal(classifyLog(line, {}, rules).verdict, "transient", line);
  });

  it("kaniko's own command or download failing is not a pull", () => {
    for (const line of [
      "error building image: error building stage: failed to execute command: waiting for process to exit: exit status 1",
      "error building image: error building stage: failed to get files used from context: Get https://downloads.example.com/tool.tgz: read tcp 10.0.0.5:41234->93.184.216.34:443: read: connection reset by peer",
    ])
      assert.equal(classifyLog(line, {}, rules).verdict, "unrelated", line);
  });

  it("the kubelet's and ECS's pull errors show the pull: their network words count", () => {
    for (const line of [
      'Error syncing pod 4c1f, skipping: failed to "StartContainer" for "api" with ErrImagePull: "read tcp 10.1.2.3:51000->104.18.1.2:443: read: connection reset by peer"',
      "CannotPullContainerError: ref pull has been retried 5 time(s): read tcp 10.0.1.5:40000->52.1.2.3:443: read: connection reset by peer",
      'Failed to pull image "quay.io/o/app:1": Network timed out while trying to connect to https://quay.io/v1/repositories/o/app/images',
    ])
      assert.equal(classifyLog(line, {}, rules).verdict, "transient", line);
  });

  it("a registry's blob store is known by distribution's storage path, whatever its host; the same host's other files are not", () => {
    const blob =
      "Get https://acme-images.s3.us-west-2.amazonaws.com/docker/registry/v2/blobs/sha256/aa/aa11/data?X-Amz-Algorithm=AWS4-HMAC-SHA256: dial tcp 52.1.2.3:443: i/o timeout";
    assert.equal(classifyLog(blob, {}, rules).verdict, "transient");
    const file =
      "Get https://acme-images.s3.us-west-2.amazonaws.com/releases/tool.tgz: dial tcp 52.1.2.3:443: i/o timeout";
    assert.equal(classifyLog(file, {}, rules).verdict, "unrelated");
  });
});

describe("third round: precision", () => {
  it("a lookup refused by this machine's own resolver is its setup, not the registry; a resolver's hiccup still is one", () => {
    const refused = classifyLog(
      "Error response from daemon: Get https://ghcr.io/v2/: dial tcp: lookup ghcr.io on 127.0.0.53:53: read udp 127.0.0.1:40000->127.0.0.53:53: read: connection refused",
      {},
      rules,
    );
    assert.equal(refused.verdict, "permanent");
    assert.equal(refused.rule, "local-resolver-refused");
    for (const line of [
      "Get https://ghcr.io/v2/: dial tcp: lookup ghcr.io on 10.0.0.2:53: read udp 10.0.0.7:40000->10.0.0.2:53: i/o timeout",
      "Get https://ghcr.io/v2/: dial tcp: lookup ghcr.io: Temporary failure in name resolution",
    ])
      assert.equal(classifyLog(line, {}, rules).verdict, "transient", line);
  });

  it("GitHub Actions' cache service is not a registry, even in a push step", () => {
    const log = step(
      "docker/build-push-action@v6",
      [
        "#14 exporting to GitHub Actions Cache",
        '#14 ERROR: failed to export cache: Get "https://acghubeus2.actions.githubusercontent.com/Xy12/_apis/artifactcache/cache?keys=buildkit-blob-1": dial tcp 13.107.42.16:443: i/o timeout',
      ],
      "buildx failed with: ERROR: failed to solve: failed to export cache",
    );
    assert.equal(classifyLog(log, {}, rules).verdict, "unrelated");
    const v2 =
      'ERROR: failed to solve: Post "https://results-receiver.actions.githubusercontent.com/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry": read tcp 172.17.0.2:40000->20.1.2.3:443: read: connection reset by peer';
    assert.equal(classifyLog(v2, {}, rules).verdict, "unrelated");
  });

  it("a registry's refusals in other clients' words are permanent: a base tag buildkit cannot find, an invalid manifest, the machine's image policy, a bare denied", () => {
    for (const [line, rule] of [
      [
        "ERROR: failed to solve: node:99-alpine: failed to resolve source metadata for docker.io/library/node:99-alpine: docker.io/library/node:99-alpine: not found",
        "manifest-unknown",
      ],
      [
        "Error: PUT https://registry.example.com/v2/o/app/manifests/v1: MANIFEST_INVALID: manifest invalid",
        "manifest-invalid",
      ],
      ["Error: short-name resolution enforced but cannot prompt without a TTY", "image-policy"],
      ['Error response from daemon: Head "https://ghcr.io/v2/o/app/manifests/1.0": denied', "access-denied"],
    ] as const) {
      const got = classifyLog(line, {}, rules);
      assert.deepEqual([got.verdict, got.rule], ["permanent", rule], line);
    }
  });
});

describe("fourth round: from the failing steps (test/fixtures/corpus/steps.jsonl)", () => {
  /** The runner building or pulling an action's image, as its log prints it (its retries included). */
  const runnerLog = (command: string, attempt: string[]) =>
    step("greut/eclint-action@v0", [
      ...attempt,
      `Warning: ${command} failed with exit code 1, back off 4.759 seconds before retry.`,
      ...attempt,
    ]);

  it("the runner's retry notice restates the line above it: a Docker daemon that is not running is no registry flake", () => {
    const log = runnerLog("Docker pull", [
      "/usr/bin/docker pull oskarstark/phpstan-ga",
      "Using default tag: latest",
      "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
    ]);
    const got = explainLog(log, {}, rules);
    assert.equal(got.result.verdict, "unrelated");
    const why = got.explanation.passes
      .flatMap((p) => p.lines)
      .find((l) => l.text.includes("back off"))
      ?.matches.find((m) => m.rule === "runner-image-retry")?.why;
    assert.match(why ?? "", /restates the failure of line \d+ just before, which is not a registry client's/);
    // With nothing but the pull's own words above it, the notice still counts.
    const flake = runnerLog("Docker pull", [
      "/usr/bin/docker pull ghcr.io/o/action:v1",
      'Error response from daemon: Get "https://ghcr.io/v2/": net/http: request canceled while waiting for connection',
    ]);
    assert.equal(classifyLog(flake, {}, rules).verdict, "transient");
  });

  it("a near miss of a known registry that answers a web page is a typo, seen through the legacy builder's FROM", () => {
    const log = runnerLog("Docker build", [
      "/usr/bin/docker build -t 72882e:5a4def -f /home/runner/work/_actions/greut/eclint-action/v0/Dockerfile .",
      "Sending build context to Docker daemon  4.096kB",
      "Step 1/3 : FROM ghrc.io/greut/eclint/cmd:v0.3.4",
      "error unmarshalling content: invalid character '<' looking for beginning of value",
    ]);
    const got = classifyLog(log, {}, rules);
    assert.deepEqual([got.verdict, got.rule], ["permanent", "registry-host-typo"]);
    assert.ok(got.fix?.startsWith("Did you mean `ghcr.io` (not `ghrc.io`)?"), got.fix);
    // The same answer from a host that is no near miss is not called a typo.
    const other = classifyLog(log.replaceAll("ghrc.io", "registry.example.com"), {}, rules);
    assert.notEqual(other.rule, "registry-host-typo");
  });

  it("an EOF that ends the line counts with the spaces or carriage return a quoted or Windows log leaves after it", () => {
    const line =
      'time="2019-10-04T07:29:50Z" level=fatal msg="Error initializing source docker://grafana/grafana:6.3.5: Get https://registry-1.docker.io/v2/grafana/grafana/manifests/6.3.5: EOF"';
    for (const end of ["", " ", "\r", " \t"]) {
      const got = classifyLog(line + end, {}, rules);
      assert.deepEqual([got.verdict, got.rule], ["transient", "connection-dropped"], JSON.stringify(end));
    }
    // Not an EOF in the middle of a sentence.
    assert.equal(classifyLog("Get https://ghcr.io/v2/: EOF was not expected here", {}, rules).verdict, "unrelated");
  });
});
