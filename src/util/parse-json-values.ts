/**
 * One or more JSON values written one after another, as `gh api --paginate` prints pages
 * (`[…][…]` or one per line). Throws with the position of the first one that does not parse.
 */
export function parseJsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let start = skipSpace(text, 0);
  while (start < text.length) {
    const end = valueEnd(text, start);
    try {
      values.push(JSON.parse(text.slice(start, end)));
    } catch (error) {
      throw new Error(`invalid JSON at character ${start}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    start = skipSpace(text, end);
  }
  return values;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i] ?? "")) i += 1;
  return i;
}

/** Where the value starting at `start` ends: brackets balanced outside strings, or the next space for scalars. */
function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first !== "[" && first !== "{") {
    let i = start;
    while (i < text.length && !/[\s[{]/.test(text[i] ?? "")) i += 1;
    return i;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") depth += 1;
    else if (c === "]" || c === "}") {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}
