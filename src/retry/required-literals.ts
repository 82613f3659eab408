/**
 * Literal strings, one of which every match of a pattern contains (lower-cased, for patterns matched
 * case-insensitively). The classifier's first pass over a text looks for these instead of the patterns:
 * V8 runs an alternation of plain strings several times faster than the patterns themselves, and a
 * line it finds is then tested against the patterns as before, so the pass may find more lines than
 * match, never fewer. Null when a pattern has no such set worth using (the pass then uses the pattern).
 *
 * Understood: literals and escapes, `.`, classes, groups, alternation, quantifiers, anchors, `\b` and
 * lookaround. Anything else makes the answer null, which is always safe.
 */
export function requiredLiterals(pattern: string): string[] | null {
  let parsed: Node;
  try {
    parsed = new Parser(pattern).parse();
  } catch {
    return null;
  }
  const best = required(parsed);
  return best && shortest(best) >= MIN_LITERAL ? [...new Set(best)] : null;
}

/** A shorter string would be found on too many lines to save anything. */
const MIN_LITERAL = 3;
/** A run of characters from small classes is spelled out up to this many strings. */
const MAX_SPELLINGS = 16;

type Node =
  | { kind: "chars"; set: string[] | null } // one character: from `set`, or any (null)
  | { kind: "empty" } // zero-width: anchors, \b, lookaround
  | { kind: "seq"; items: Node[] }
  | { kind: "alt"; options: Node[] }
  | { kind: "repeat"; node: Node; min: number; max: number };

/** Candidate sets for a node: each is a set of strings one of which every match contains. */
function required(node: Node): string[] | null {
  switch (node.kind) {
    case "chars":
      return node.set;
    case "empty":
      return null;
    case "alt": {
      const sets = node.options.map(required);
      return sets.every((s): s is string[] => s !== null) ? sets.flat() : null;
    }
    case "repeat":
      return node.min >= 1 ? required(node.node) : null;
    case "seq":
      return bestOf([...runs(node.items), ...node.items.map(required)]);
  }
}

/**
 * Runs of single characters that every match has side by side, spelled out (a class of a few
 * characters gives a string each); a quantified or optional item ends a run, zero-width ones do not.
 */
function runs(items: Node[]): (string[] | null)[] {
  const out: (string[] | null)[] = [];
  let current: string[] = [""];
  const close = () => {
    if (current.length > 0 && current[0] !== "") out.push(current);
    current = [""];
  };
  const add = (set: string[]) => {
    if (current.length * set.length > MAX_SPELLINGS) close();
    current = current.flatMap((prefix) => set.map((c) => prefix + c));
  };
  for (const item of items) {
    if (item.kind === "empty") continue;
    if (item.kind === "chars" && item.set) add(item.set);
    else if (
      item.kind === "repeat" &&
      item.node.kind === "chars" &&
      item.node.set &&
      item.min === item.max &&
      item.min <= 8
    ) {
      for (let i = 0; i < item.min; i += 1) add(item.node.set);
    } else close();
  }
  close();
  return out;
}

/** The set whose shortest string is longest (a rarer string finds fewer lines); then the smaller set. */
function bestOf(sets: (string[] | null)[]): string[] | null {
  let best: string[] | null = null;
  for (const set of sets) {
    if (!set || set.length === 0) continue;
    if (!best || shortest(set) > shortest(best) || (shortest(set) === shortest(best) && set.length < best.length))
      best = set;
  }
  return best;
}

function shortest(set: string[]): number {
  return Math.min(...set.map((s) => s.length));
}

const CLASS_ESCAPES = new Set(["d", "D", "w", "W", "s", "S"]);
const LITERAL_ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", f: "\f", v: "\v", "0": "\0" };

class Parser {
  private at = 0;
  constructor(private readonly source: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.at < this.source.length) throw new Error(`unexpected ${this.source[this.at]}`);
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.source[this.at] === "|") {
      this.at += 1;
      options.push(this.sequence());
    }
    const [only] = options;
    return options.length === 1 && only ? only : { kind: "alt", options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.at < this.source.length && this.source[this.at] !== "|" && this.source[this.at] !== ")")
      items.push(this.quantified(this.atom()));
    return { kind: "seq", items };
  }

  private quantified(node: Node): Node {
    const c = this.source[this.at];
    let min: number;
    let max: number;
    if (c === "?" || c === "*" || c === "+") {
      this.at += 1;
      [min, max] = c === "?" ? [0, 1] : c === "*" ? [0, Infinity] : [1, Infinity];
    } else {
      const bounds = c === "{" ? /^\{(\d+)(,)?(\d*)\}/.exec(this.source.slice(this.at)) : null;
      if (!bounds) return node;
      const [whole, low, comma, high] = bounds;
      this.at += whole.length;
      min = Number(low);
      max = comma ? (high ? Number(high) : Infinity) : min;
    }
    if (this.source[this.at] === "?") this.at += 1; // lazy: the same strings
    if (node.kind === "empty") throw new Error("quantified assertion");
    return { kind: "repeat", node, min, max };
  }

  private atom(): Node {
    const c = this.source.charAt(this.at);
    this.at += 1;
    switch (c) {
      case "^":
      case "$":
        return { kind: "empty" };
      case ".":
        return { kind: "chars", set: null };
      case "[":
        return this.characterClass();
      case "(":
        return this.group();
      case "\\":
        return this.escape();
      case "*":
      case "+":
      case "?":
      case "{":
      case "}":
      case "]":
        throw new Error(`bare ${c}`);
      default:
        return { kind: "chars", set: cased(c) };
    }
  }

  private group(): Node {
    let lookaround = false;
    if (this.source.startsWith("?:", this.at)) this.at += 2;
    else if (/^\?<?[=!]/.test(this.source.slice(this.at, this.at + 3))) {
      lookaround = true;
      this.at += this.source[this.at + 1] === "<" ? 3 : 2;
    } else if (this.source[this.at] === "?") throw new Error("named or flagged group");
    const inner = this.alternation();
    if (this.source[this.at] !== ")") throw new Error("unclosed group");
    this.at += 1;
    return lookaround ? { kind: "empty" } : inner;
  }

  private escape(): Node {
    const c = this.source[this.at];
    if (c === undefined) throw new Error("trailing backslash");
    this.at += 1;
    if (c === "b" || c === "B") return { kind: "empty" };
    if (CLASS_ESCAPES.has(c)) return { kind: "chars", set: c === "d" ? [..."0123456789"] : null };
    if (/[1-9kpPcxu]/.test(c)) throw new Error(`escape \\${c}`);
    return { kind: "chars", set: cased(LITERAL_ESCAPES[c] ?? c) };
  }

  /** A class: its characters when it is a short positive list or range, else any character. */
  private characterClass(): Node {
    const negated = this.source[this.at] === "^";
    if (negated) this.at += 1;
    const chars: string[] = [];
    let open = true;
    while (this.at < this.source.length) {
      let c = this.source.charAt(this.at);
      this.at += 1;
      if (c === "]") {
        open = false;
        break;
      }
      if (c === "\\") {
        const e = this.source[this.at];
        this.at += 1;
        if (e === undefined || /[dDwWsSbBpPux1-9ck]/.test(e)) return this.skipClass();
        c = LITERAL_ESCAPES[e] ?? e;
      }
      if (this.source[this.at] === "-" && this.at + 1 < this.source.length && this.source[this.at + 1] !== "]") {
        const end = this.source.charAt(this.at + 1);
        this.at += 2;
        if (end === "\\" || end.charCodeAt(0) - c.charCodeAt(0) > MAX_SPELLINGS) return this.skipClass();
        for (let code = c.charCodeAt(0); code <= end.charCodeAt(0); code += 1) chars.push(String.fromCharCode(code));
      } else chars.push(c);
    }
    if (open) throw new Error("unclosed class");
    return { kind: "chars", set: negated ? null : [...new Set(chars.flatMap(cased))] };
  }

  /** The rest of a class too wide to spell out: any character. */
  private skipClass(): Node {
    for (; this.at < this.source.length; this.at += 1) {
      if (this.source[this.at] === "\\") this.at += 1;
      else if (this.source[this.at] === "]") {
        this.at += 1;
        return { kind: "chars", set: null };
      }
    }
    throw new Error("unclosed class");
  }
}

/** Matching is case-insensitive: a letter stands for itself in lower case only (the scan lower-cases nothing, it uses `i`). */
function cased(c: string): string[] {
  return [c.toLowerCase()];
}
