/**
 * The one GraphQL query the fake GitHub answers: pull request states by number, many to a request.
 * GitHub's GraphQL API is not in its OpenAPI description, so instead of a schema check the fake parses
 * exactly this shape and refuses anything else with a GraphQL error (and a violation):
 *
 *   query($owner: String!, $name: String!) {
 *     repository(owner: $owner, name: $name) {
 *       p12: pullRequest(number: 12) { number state closedAt }
 *       ...
 *     }
 *   }
 *
 * `owner`/`name` may be variables or string literals, `number` an Int literal or a variable; the
 * selection is any of number, state, closedAt, mergedAt, merged. Answers take GitHub's shape: `data`,
 * and `errors` with `type: "NOT_FOUND"` and the alias's `path` for a PR that does not exist (its field
 * null), or for the repository (then `repository` is null); `FORBIDDEN` for a PR the token may not read. An Int outside GraphQL's 32 bits fails the
 * whole query, as on GitHub.
 */
export interface GraphqlPull {
  number: number;
  state: "OPEN" | "CLOSED" | "MERGED";
  closedAt: string | null;
  mergedAt: string | null;
}

export interface GraphqlAnswer {
  data?: unknown;
  errors?: { message: string; type?: string; path?: string[]; locations?: { line: number; column: number }[] }[];
}

const FIELDS = new Set(["number", "state", "closedAt", "mergedAt", "merged"]);
const INT_MAX = 2 ** 31 - 1;

class QueryError extends Error {}

type Token = { kind: "name" | "int" | "string" | "punct"; text: string; line: number; column: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|,|#[^\n]*|([A-Za-z_][A-Za-z0-9_]*)|(-?\d+)|("(?:[^"\\\n]|\\.)*")|([{}():!$])|(.)/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(source)) !== null) {
    const before = source.slice(0, match.index);
    const line = before.split("\n").length;
    const column = match.index - before.lastIndexOf("\n");
    const [, name, int, string, punct, other] = match;
    if (other !== undefined) throw new QueryError(`Parse error on "${other}" (line ${line}, column ${column})`);
    if (name !== undefined) tokens.push({ kind: "name", text: name, line, column });
    else if (int !== undefined) tokens.push({ kind: "int", text: int, line, column });
    else if (string !== undefined) tokens.push({ kind: "string", text: JSON.parse(string) as string, line, column });
    else if (punct !== undefined) tokens.push({ kind: "punct", text: punct, line, column });
  }
  return tokens;
}

interface PullField {
  alias: string;
  number: number;
  selection: string[];
  line: number;
  column: number;
}

interface ParsedQuery {
  owner: string;
  name: string;
  pulls: PullField[];
}

function parse(source: string, variables: Record<string, unknown>): ParsedQuery {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at];
  const next = (): Token => {
    const token = tokens[at++];
    if (!token) throw new QueryError("Parse error: unexpected end of document");
    return token;
  };
  const expect = (text: string): Token => {
    const token = next();
    if (token.text !== text || token.kind === "string")
      throw new QueryError(`Parse error on "${token.text}": expected "${text}"`);
    return token;
  };
  const name = (): string => {
    const token = next();
    if (token.kind !== "name") throw new QueryError(`Parse error on "${token.text}": expected a name`);
    return token.text;
  };
  const declared = new Map<string, string>();
  const value = (type: "String" | "Int"): unknown => {
    const token = next();
    if (token.kind === "punct" && token.text === "$") {
      const variable = name();
      if (declared.get(variable) !== type)
        throw new QueryError(`Variable $${variable} is not declared as ${type}! in this operation`);
      if (!(variable in variables))
        throw new QueryError(`Variable $${variable} of type ${type}! was provided invalid value`);
      return variables[variable];
    }
    if (type === "String" && token.kind === "string") return token.text;
    if (type === "Int" && token.kind === "int") return Number(token.text);
    throw new QueryError(`Argument has an invalid value (${token.text}). Expected type '${type}!'.`);
  };

  if (peek()?.kind === "name") {
    if (name() !== "query") throw new QueryError("Only a query operation is answered by the fake");
    if (peek()?.kind === "name") name();
    if (peek()?.text === "(") {
      expect("(");
      while (peek()?.text !== ")") {
        expect("$");
        const variable = name();
        expect(":");
        const type = name();
        expect("!");
        if (type !== "String" && type !== "Int") throw new QueryError(`Unsupported variable type ${type}`);
        declared.set(variable, type);
      }
      expect(")");
    }
  }
  expect("{");
  if (name() !== "repository") throw new QueryError("The fake answers only repository { pullRequest(number:) }");
  expect("(");
  const args: Record<string, unknown> = {};
  while (peek()?.text !== ")") {
    const arg = name();
    expect(":");
    if (arg !== "owner" && arg !== "name") throw new QueryError(`Field 'repository' doesn't accept argument '${arg}'`);
    args[arg] = value("String");
  }
  expect(")");
  if (typeof args.owner !== "string" || typeof args.name !== "string")
    throw new QueryError("Field 'repository' is missing required arguments: owner, name");
  expect("{");
  const pulls: PullField[] = [];
  const aliases = new Set<string>();
  while (peek()?.text !== "}") {
    const start = peek()!;
    const alias = name();
    expect(":");
    if (name() !== "pullRequest") throw new QueryError("The fake answers only aliased pullRequest(number:) fields");
    expect("(");
    if (name() !== "number") throw new QueryError("pullRequest takes only number here");
    expect(":");
    const number = value("Int");
    expect(")");
    if (typeof number !== "number" || !Number.isInteger(number) || Math.abs(number) > INT_MAX)
      throw new QueryError(
        `Argument 'number' on Field '${alias}' has an invalid value (${String(number)}). Expected type 'Int!'.`,
      );
    expect("{");
    const selection: string[] = [];
    while (peek()?.text !== "}") {
      const field = name();
      if (!FIELDS.has(field)) throw new QueryError(`Field '${field}' doesn't exist on type 'PullRequest'`);
      selection.push(field);
    }
    expect("}");
    if (selection.length === 0) throw new QueryError(`Field '${alias}' must have a selection`);
    if (aliases.has(alias)) throw new QueryError(`Field '${alias}' conflicts with another field of the same name`);
    aliases.add(alias);
    pulls.push({ alias, number, selection, line: start.line, column: start.column });
  }
  expect("}");
  expect("}");
  if (at !== tokens.length) throw new QueryError(`Parse error on "${tokens[at]!.text}": expected end of document`);
  if (pulls.length === 0) throw new QueryError("Field 'repository' must select at least one pullRequest");
  return { owner: args.owner, name: args.name, pulls };
}

/**
 * GitHub's answer to `body` ({query, variables}); `problem` is set when the query is not the shape
 * Dockhand sends (the caller records it as a violation).
 */
export function answerPullsQuery(
  body: unknown,
  /** The repository's PRs by number, or undefined if there is no such repository. */
  repository: (owner: string, name: string) => ((number: number) => GraphqlPull | "forbidden" | undefined) | undefined,
): { answer: GraphqlAnswer; problem?: string } {
  const request = (typeof body === "object" && body !== null ? body : {}) as { query?: unknown; variables?: unknown };
  if (typeof request.query !== "string") return refused("A query attribute must be specified and must be a string.");
  const variables =
    typeof request.variables === "object" && request.variables !== null
      ? (request.variables as Record<string, unknown>)
      : {};
  let parsed: ParsedQuery;
  try {
    parsed = parse(request.query, variables);
  } catch (error) {
    if (error instanceof QueryError) return refused(error.message);
    throw error;
  }
  const pullOf = repository(parsed.owner, parsed.name);
  if (!pullOf) {
    return {
      answer: {
        data: { repository: null },
        errors: [
          {
            type: "NOT_FOUND",
            path: ["repository"],
            locations: [{ line: 1, column: 1 }],
            message: `Could not resolve to a Repository with the name '${parsed.owner}/${parsed.name}'.`,
          },
        ],
      },
    };
  }
  const fields: Record<string, unknown> = {};
  const errors: NonNullable<GraphqlAnswer["errors"]> = [];
  for (const field of parsed.pulls) {
    const pull = pullOf(field.number);
    if (pull === "forbidden") {
      fields[field.alias] = null;
      errors.push({
        type: "FORBIDDEN",
        path: ["repository", field.alias],
        locations: [{ line: field.line, column: field.column }],
        message: "Resource not accessible by integration",
      });
      continue;
    }
    if (pull === undefined) {
      fields[field.alias] = null;
      errors.push({
        type: "NOT_FOUND",
        path: ["repository", field.alias],
        locations: [{ line: field.line, column: field.column }],
        message: `Could not resolve to a PullRequest with the number of ${field.number}.`,
      });
      continue;
    }
    fields[field.alias] = Object.fromEntries(
      field.selection.map((key) => [key, key === "merged" ? pull.state === "MERGED" : pull[key as keyof GraphqlPull]]),
    );
  }
  return { answer: { data: { repository: fields }, ...(errors.length > 0 ? { errors } : {}) } };
}

function refused(message: string): { answer: GraphqlAnswer; problem: string } {
  return {
    answer: { errors: [{ message, locations: [{ line: 1, column: 1 }] }] },
    problem: `POST /graphql: ${message}`,
  };
}
