import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * GitHub's OpenAPI description (`@octokit/openapi`), used to check every request the fakes answer and
 * every answer they give, so the fakes cannot drift from the real API.
 */
interface Operation {
  method: string;
  template: string;
  operationId: string;
  enabledForGitHubApps: boolean;
  parameters: { name: string; in: string; required?: boolean; schema?: object }[];
  requestBodySchema?: object;
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
  examples: Record<string, unknown>;
}

interface Route {
  regex: RegExp;
  literalSegments: number;
  template: string;
}

export type TokenKind = "installation" | "app-jwt" | "pat" | "none";

const require = createRequire(import.meta.url);
const specPath = require.resolve("@octokit/openapi/generated/api.github.com.json");
const SPEC_ID = "github-openapi";

let loaded: { spec: Spec; routes: Route[]; ajv: Ajv } | undefined;
const validators = new Map<string, ValidateFunction>();

interface Spec {
  paths: Record<string, Record<string, RawOperation>>;
  components: Record<string, Record<string, unknown>>;
}
interface RawOperation {
  operationId: string;
  "x-github"?: { enabledForGitHubApps?: boolean };
  parameters?: ({ $ref: string } | Operation["parameters"][number])[];
  requestBody?: { content?: Record<string, { schema?: object }> };
  responses: Record<
    string,
    {
      $ref?: string;
      content?: Record<string, { schema?: object; examples?: Record<string, { value?: unknown; $ref?: string }> }>;
    }
  >;
}

function load() {
  if (loaded) return loaded;
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as Spec;
  const routes = Object.keys(spec.paths).map((template) => {
    const segments = template.split("/").filter(Boolean);
    const pattern = segments.map((s) => (s.startsWith("{") ? "[^/]+" : escapeRegex(s))).join("/");
    return {
      template,
      regex: new RegExp(`^/${pattern}/?$`),
      literalSegments: segments.filter((s) => !s.startsWith("{")).length,
    };
  });
  // Prefer the most literal template: `/repos/{o}/{r}/pulls/comments` over `/repos/{o}/{r}/pulls/{pull_number}`.
  routes.sort((a, b) => b.literalSegments - a.literalSegments);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  (addFormatsModule as unknown as (ajv: Ajv) => void)(ajv);
  // GitHub's description uses a few formats Ajv does not know; accept them rather than fail compilation.
  for (const format of ["repo.nwo", "ssh-key", "ssh-key fingerprint", "uri-template"]) ajv.addFormat(format, true);
  ajv.addSchema({ $id: SPEC_ID, components: typedNullables(spec.components) }, SPEC_ID);
  loaded = { spec, routes, ajv };
  return loaded;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function resolveRef<T>(value: T | { $ref: string }): T {
  if (value && typeof value === "object" && "$ref" in value) {
    const parts = value.$ref.replace(/^#\//, "").split("/");
    let node: unknown = load().spec;
    for (const part of parts) node = (node as Record<string, unknown>)[part];
    return resolveRef(node as T | { $ref: string });
  }
  return value as T;
}

/** Rewrites local `$ref`s so Ajv resolves them inside the registered spec. */
function rebase(schema: object): object {
  return typedNullables(JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', `"$ref":"${SPEC_ID}#/`)) as object);
}

/** OpenAPI 3.0's `nullable` without a `type` (beside `allOf`/`$ref`), which Ajv rejects, as `anyOf [schema, null]`. */
function typedNullables<T>(node: T): T {
  if (Array.isArray(node)) return node.map(typedNullables) as T;
  if (!node || typeof node !== "object") return node;
  const entries = Object.entries(node as Record<string, unknown>).map(
    ([key, value]) => [key, typedNullables(value)] as const,
  );
  const object = Object.fromEntries(entries) as Record<string, unknown>;
  if (object.nullable === true && object.type === undefined) {
    const rest = { ...object };
    delete rest.nullable;
    return { anyOf: [rest, { type: "null" }] } as T;
  }
  return object as T;
}

export function findOperation(method: string, path: string): Operation | undefined {
  const { spec, routes } = load();
  const lower = method.toLowerCase();
  const route = routes.find((r) => r.regex.test(path) && spec.paths[r.template]?.[lower]);
  if (!route) return undefined;
  const raw = spec.paths[route.template]![lower]!;
  const responses: Operation["responses"] = {};
  const examples: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(raw.responses)) {
    const resolved = resolveRef(response);
    responses[status] = resolved;
    const example = Object.values(resolved.content?.["application/json"]?.examples ?? {})[0];
    if (example) examples[status] = resolveRef(example).value;
  }
  return {
    method: lower,
    template: route.template,
    operationId: raw.operationId,
    enabledForGitHubApps: raw["x-github"]?.enabledForGitHubApps ?? false,
    parameters: [...(raw.parameters ?? []), ...describedElsewhere(raw.operationId)].map((p) => resolveRef(p)),
    requestBodySchema: raw.requestBody?.content?.["application/json"]?.schema,
    responses,
    examples,
  };
}

/**
 * Parameters GitHub honours that its description leaves out (github/rest-api-description#1651: `page`
 * and `per_page` on a user's package versions "are missing but actually functional"); they are taken
 * from the same list for the authenticated user, which the description does give them.
 */
function describedElsewhere(operationId: string): RawOperation["parameters"] & object {
  if (operationId !== "packages/get-all-package-versions-for-package-owned-by-user") return [];
  const sibling = load().spec.paths["/user/packages/{package_type}/{package_name}/versions"]?.get;
  return (sibling?.parameters ?? []).filter((p) => resolveRef(p).in === "query");
}

function validator(key: string, schema: object): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) {
    validate = load().ajv.compile(rebase(schema));
    validators.set(key, validate);
  }
  return validate;
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || "(root)"} ${e.message ?? ""}`)
    .join("; ");
}

export interface RequestCheck {
  method: string;
  /** Path without the GHES `/api/v3` prefix. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  token: TokenKind;
}

/** Problems with a request as GitHub would see it: unknown route, wrong credential, bad query or body. */
export function checkRequest(request: RequestCheck): { operation?: Operation; problems: string[] } {
  const operation = findOperation(request.method, request.path);
  const label = `${request.method.toUpperCase()} ${request.path}`;
  if (!operation) return { problems: [`${label}: no such operation in GitHub's OpenAPI description`] };
  const problems: string[] = [];
  if (request.token === "installation" && !operation.enabledForGitHubApps) {
    problems.push(`${label} (${operation.operationId}) does not accept GitHub App installation tokens`);
  }
  if (request.token === "app-jwt" && !operation.template.startsWith("/app")) {
    problems.push(`${label}: an app JWT only works on /app endpoints`);
  }
  const queryParams = new Map(operation.parameters.filter((p) => p.in === "query").map((p) => [p.name, p]));
  for (const [name, value] of request.query) {
    const param = queryParams.get(name);
    if (!param) {
      problems.push(`${label}: unknown query parameter "${name}"`);
      continue;
    }
    if (param.schema) {
      const typed = coerce(value, param.schema);
      const validate = validator(`${operation.operationId}?${name}`, param.schema);
      if (!validate(typed)) problems.push(`${label}: query ${name}=${value}: ${describeErrors(validate)}`);
    }
  }
  for (const param of queryParams.values()) {
    if (param.required && !request.query.has(param.name))
      problems.push(`${label}: missing query parameter "${param.name}"`);
  }
  if (operation.requestBodySchema) {
    const validate = validator(`${operation.operationId}#body`, operation.requestBodySchema);
    if (!validate(request.body ?? {})) problems.push(`${label}: request body: ${describeErrors(validate)}`);
  } else if (
    request.body !== undefined &&
    request.body !== "" &&
    ["PATCH", "PUT"].includes(request.method.toUpperCase())
  ) {
    problems.push(`${label}: sends a body the operation does not take`);
  }
  return { operation, problems };
}

/** Problems with an answer a fake gives: a status the operation never returns, or a body of the wrong shape. */
/**
 * Response schemas that no real answer can satisfy, so they are not checked (requests still are).
 * `installation.account` is `allOf [simple-user, enterprise]` in @octokit/openapi 23.0.2's paths;
 * GitHub's own example fails it.
 */
const UNSATISFIABLE_RESPONSES = new Set(["get /app/installations"]);

export function checkResponse(operation: Operation, status: number, body: unknown): string[] {
  const label = `${operation.method.toUpperCase()} ${operation.template} → ${status}`;
  if (UNSATISFIABLE_RESPONSES.has(`${operation.method.toLowerCase()} ${operation.template}`)) return [];
  const response = operation.responses[String(status)];
  if (!response) {
    // GitHub answers any operation with these; the description lists them only sometimes.
    if ([401, 403, 404, 409, 422, 429, 500, 502, 503, 504].includes(status)) return [];
    return [
      `${label}: status not in GitHub's OpenAPI description (has ${Object.keys(operation.responses).join(", ")})`,
    ];
  }
  const schema = response.content?.["application/json"]?.schema;
  if (!schema || status >= 400) return [];
  const validate = validator(`${operation.operationId}@${status}`, schema);
  return validate(body) ? [] : [`${label}: response body: ${describeErrors(validate)}`];
}

/** GitHub's own example answer for an operation, a realistic base for fake objects. */
export function exampleResponse<T>(method: string, path: string, status = 200): T {
  const operation = findOperation(method, path);
  const example = operation?.examples[String(status)];
  if (example === undefined) throw new Error(`no ${status} example for ${method} ${path}`);
  return structuredClone(example) as T;
}

function coerce(value: string, schema: object): unknown {
  const type = (schema as { type?: string }).type;
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
  return value;
}
