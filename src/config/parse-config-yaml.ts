import {
  Composer,
  CST,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Parser,
  type Document,
  type Node,
} from "yaml";
import { limitProblems, MAX_PROBLEMS, type ConfigProblem } from "./parse-config.js";

/**
 * The largest config file Dockhand reads. A real one is a few KiB; the limit keeps the YAML parser, which
 * takes a few milliseconds per KiB of dense input, within ~100 ms (docs/benchmarks.md, "Repository config").
 */
export const CONFIG_MAX_BYTES = 32 * 1024;
/** Deeper than any setting (the schema needs 5 levels); it also bounds every recursive walk of the value. */
export const CONFIG_MAX_DEPTH = 16;
/**
 * Values (mappings, lists, list items, settings) after aliases are expanded, in one file and in all files
 * of an `_extends` chain together. A full config with 100 retry rules holds under 1,000; the schema
 * check costs ~10 µs per invalid value, so this bounds it whatever aliases or bases add.
 */
export const CONFIG_MAX_VALUES = 4096;
/** `yaml`'s own guard (its default), which stops nested alias bombs while it builds the value. */
const MAX_ALIAS_COUNT = 100;

/** `values`: how many values the mapping holds, aliases expanded. */
export type ParsedYaml =
  { ok: true; value: Record<string, unknown>; values: number } | { ok: false; problems: ConfigProblem[] };

/**
 * The text of one config file → a plain mapping, in time linear in its size: the size is capped, nesting
 * is checked on the parser's tokens before the recursive steps run, duplicate keys are found with a set
 * (`yaml`'s own check compares each key with every earlier one), and alias expansion is bounded.
 */
export function parseConfigYaml(text: string, file: string): ParsedYaml {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > CONFIG_MAX_BYTES) return fail(tooLarge(file, bytes));

  const tooDeep = `${file} nests deeper than ${CONFIG_MAX_DEPTH} levels; Dockhand's settings need at most 5`;
  const lines = new LineCounter();
  const tokens = parseTokens(text, lines);
  if (!tokens || tokens.some((token) => token.type === "document" && nestedDeeperThan(token, CONFIG_MAX_DEPTH)))
    return fail(tooDeep);
  const documents = Array.from(
    new Composer({ uniqueKeys: false, logLevel: "error" }).compose(tokens, true, text.length),
  );
  if (documents.length > 1)
    return fail(`${file} holds ${documents.length} YAML documents; remove the \`---\` separators and keep one`);
  const document = documents[0];
  if (!document) return { ok: true, value: {}, values: 0 };
  if (document.errors.length > 0) {
    const shown = document.errors.slice(0, MAX_PROBLEMS).map((error) => ({
      key: "(file)",
      message: `Configuration could not be parsed from ${file} (invalid YAML at ${at(lines, error.pos[0])}: ${firstLine(error.message)})`,
    }));
    return { ok: false, problems: limitProblems(shown, document.errors.length) };
  }
  const keyProblems = checkKeys(document, lines);
  if (keyProblems.length > 0) return { ok: false, problems: keyProblems };

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return fail(
      `Configuration could not be parsed from ${file} (${error instanceof Error ? error.message : String(error)}; use fewer aliases)`,
    );
  }
  if (value === null || value === undefined) return { ok: true, value: {}, values: 0 };
  if (typeof value !== "object" || Array.isArray(value)) {
    return fail(
      `${file} must be a mapping of settings (\`report:\`, \`retry:\`, …), not ${Array.isArray(value) ? "a list" : "a single value"}`,
    );
  }
  const expanded = expandedSize(value);
  if (expanded.values > CONFIG_MAX_VALUES)
    return fail(
      `${file} holds more than ${CONFIG_MAX_VALUES} values (settings and list items, aliases expanded); Dockhand's settings need far fewer`,
    );
  if (expanded.depth > CONFIG_MAX_DEPTH)
    return fail(`${file}: its aliases nest it deeper than ${CONFIG_MAX_DEPTH} levels; alias less`);
  return { ok: true, value: value as Record<string, unknown>, values: expanded.values };
}

/**
 * What a person reads when a file is over the limit: which file, how big (when known: a stream has no
 * size), the limit, and what to do.
 */
export function tooLarge(file: string, bytes: number | undefined): string {
  const size = bytes === undefined ? "is larger than the limit of" : `is ${bytes} bytes; the limit is`;
  return `${file} ${size} ${CONFIG_MAX_BYTES} bytes (${CONFIG_MAX_BYTES / 1024} KiB). Remove unused settings or long comments; a Dockhand config is usually under 2 KiB`;
}

function fail(message: string): ParsedYaml {
  return { ok: false, problems: [{ key: "(file)", message }] };
}

/**
 * The parser's tokens, fed one lexeme at a time (as `Parser.parse` does) so that nesting is checked on
 * the way: `yaml`'s parser slows down with the square of flow or compact nesting (`[[[`, `- - -`), and
 * composing recurses. Undefined when flow collections open at once, or block indicators on one line,
 * pass the limit. Nesting by indentation costs a line per level and is checked on the tokens after.
 */
function parseTokens(text: string, lines: LineCounter): CST.Token[] | undefined {
  const parser = new Parser(lines.addNewLine);
  const tokens: CST.Token[] = [];
  let flow = 0;
  let onLine = 0;
  let scalarSource = false;
  lines.addNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    // A scalar marker is followed by the scalar's own text, whatever characters it holds.
    const type: string | null = scalarSource ? "scalar-source" : CST.tokenType(lexeme);
    scalarSource = type === "scalar";
    if (type === "flow-seq-start" || type === "flow-map-start") flow += 1;
    else if (type === "flow-seq-end" || type === "flow-map-end") flow = Math.max(0, flow - 1);
    else if (type === "newline") onLine = 0;
    else if (flow === 0 && (type === "seq-item-ind" || type === "explicit-key-ind" || type === "map-value-ind"))
      onLine += 1;
    if (flow > CONFIG_MAX_DEPTH || onLine > CONFIG_MAX_DEPTH) return undefined;
    for (const token of parser.next(lexeme)) tokens.push(token);
  }
  for (const token of parser.end()) tokens.push(token);
  return tokens;
}

/** Collections nested past the limit, on the parser's tokens (before anything recursive runs on them). */
function nestedDeeperThan(document: CST.Document, limit: number): boolean {
  const stack: { token: CST.Token | null | undefined; depth: number }[] = [{ token: document.value, depth: 0 }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { token, depth } = next;
    if (!token || !("items" in token) || token.items.length === 0) continue;
    if (depth >= limit) return true;
    for (const item of token.items) {
      stack.push(
        { token: (item as { key?: CST.Token | null }).key, depth: depth + 1 },
        { token: item.value, depth: depth + 1 },
      );
    }
  }
  return false;
}

/** A place in the document; its dotted path is spelled out only for a problem (keys can be long). */
interface Place {
  parent: Place | undefined;
  step: string | number;
}

function keyPath(place: Place | undefined): string {
  const steps: (string | number)[] = [];
  for (let at = place; at; at = at.parent) steps.unshift(at.step);
  return (
    steps.map((step, index) => (typeof step === "number" ? `[${step}]` : index === 0 ? step : `.${step}`)).join("") ||
    "(file)"
  );
}

/** Keys must be plain scalars and unique per mapping (yaml's own check compares every pair of keys). */
function checkKeys(document: Document, lines: LineCounter): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let found = 0;
  const report = (problem: () => ConfigProblem) => {
    found += 1;
    if (problems.length < MAX_PROBLEMS) problems.push(problem());
  };
  const stack: { node: unknown; place: Place | undefined }[] = [{ node: document.contents, place: undefined }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { node, place } = next;
    const children: typeof stack = [];
    if (isSeq(node))
      node.items.forEach((item, index) => children.push({ node: item, place: { parent: place, step: index } }));
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (key !== null && !isScalar(key)) {
          report(() => ({
            key: keyPath(place),
            message: `the key at ${at(lines, key.range?.[0] ?? 0)} is ${isAlias(key) ? "an alias" : "a list or mapping"}; keys must be plain names`,
          }));
          continue;
        }
        const name = key === null ? "" : String(key.value);
        const child: Place = { parent: place, step: name };
        if (seen.has(name))
          report(() => ({
            key: keyPath(child),
            message: `duplicate key at ${at(lines, key?.range?.[0] ?? 0)}; YAML keeps only one, so remove the other`,
          }));
        seen.add(name);
        children.push({ node: pair.value, place: child });
      }
    }
    // Reversed onto the stack, so that problems come in the order of the file.
    for (const child of children.reverse()) stack.push(child);
  }
  return limitProblems(problems, found);
}

/** Counts the value as a tree (aliases share objects, so each use counts again), stopping past the limits. */
function expandedSize(root: object): { values: number; depth: number } {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  let values = 0;
  let deepest = 0;
  for (let next = stack.pop(); next && values <= CONFIG_MAX_VALUES && deepest <= CONFIG_MAX_DEPTH; next = stack.pop()) {
    const { value, depth } = next;
    values += 1;
    deepest = Math.max(deepest, depth);
    if (typeof value === "object" && value !== null) {
      for (const child of Object.values(value)) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return { values, depth: deepest };
}

function at(lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(offset);
  return `line ${line}, column ${col}`;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
