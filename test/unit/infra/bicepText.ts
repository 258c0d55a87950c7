/**
 * Just enough Bicep reading for the infra cross-check: no Bicep compiler exists on this machine (nor
 * in CI), so declarations are read as text. Handles the subset our templates use: top-level `param`,
 * `var`, `resource`, `module` and `output` declarations with `//` comments and single-quoted strings.
 */

export interface Declaration {
  kind: 'param' | 'var' | 'resource' | 'module' | 'output';
  name: string;
  /** resource: 'Type@apiVersion'; module: the path; param/output: the type. */
  target: string;
  /** Text between `=` and the body: a `[for … :` header or an `if (…)` condition. */
  header: string;
  /** The value: for resources and modules the `{…}` body; for params the default, if any. */
  body: string | undefined;
}

/** Removes `//` and block comments outside single-quoted strings (URLs inside strings survive). */
export function stripComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'") {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Index just past the single-quoted string starting at `start` (Bicep escapes with a backslash). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== "'") i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

const CLOSING: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

/** The text from the bracket at `open` through its matching closing bracket. */
export function bracketed(text: string, open: number): string {
  const stack: string[] = [];
  let i = open;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'") {
      i = stringEnd(text, i);
      continue;
    }
    if (CLOSING[ch]) stack.push(CLOSING[ch]);
    else if (ch === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return text.slice(open, i + 1);
    }
    i++;
  }
  throw new Error(`unbalanced bracket at offset ${open}`);
}

/** Top-level declarations of a Bicep file (comments already stripped by this function). */
export function declarations(source: string): Declaration[] {
  const text = stripComments(source);
  const result: Declaration[] = [];
  const head = /^(param|var|resource|module|output)\s+(\w+)\s*(?:('[^']*')|(\w+))?/gm;
  for (let m = head.exec(text); m; m = head.exec(text)) {
    const kind = m[1] as Declaration['kind'];
    const target = m[3] !== undefined ? m[3].slice(1, -1) : (m[4] ?? '');
    const lineEnd = text.indexOf('\n', m.index);
    const restOfLine = text.slice(head.lastIndex, lineEnd < 0 ? text.length : lineEnd);
    const eq = restOfLine.indexOf('=');
    if (eq < 0) {
      result.push({ kind, name: m[2]!, target, header: '', body: undefined });
      continue;
    }
    const valueStart = head.lastIndex + eq + 1;
    if (kind === 'resource' || kind === 'module') {
      const open = text.indexOf('{', valueStart);
      result.push({
        kind,
        name: m[2]!,
        target,
        header: text.slice(valueStart, open).trim(),
        body: bracketed(text, open),
      });
    } else {
      const first = text.slice(valueStart).search(/\S/) + valueStart;
      const body = text[first] === '{' || text[first] === '[' ? bracketed(text, first) : expression(text, valueStart);
      result.push({ kind, name: m[2]!, target, header: '', body });
    }
  }
  return result;
}

/** An expression from `start` to the first line end outside brackets (`c ? {…} : {…}` spans lines). */
function expression(text: string, start: number): string {
  let depth = 0;
  let i = start;
  while (i < text.length && !(depth === 0 && text[i] === '\n')) {
    const ch = text[i]!;
    if (ch === "'") {
      i = stringEnd(text, i);
      continue;
    }
    if ('{[('.includes(ch)) depth++;
    else if ('}])'.includes(ch)) depth--;
    i++;
  }
  return text.slice(start, i).trim();
}

/**
 * The `key: value` entries at the top level of an object literal `{ … }` (one per line or comma
 * separated). Values are raw text; quoted keys are unquoted.
 */
export function objectEntries(objectText: string): Map<string, string> {
  const inner = objectText.trim().slice(1, -1);
  const segments: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch === "'") {
      const end = stringEnd(inner, i);
      current += inner.slice(i, end);
      i = end - 1;
      continue;
    }
    if ('{[('.includes(ch)) depth++;
    if ('}])'.includes(ch)) depth--;
    if (depth === 0 && (ch === '\n' || ch === ',')) {
      segments.push(current);
      current = '';
    } else current += ch;
  }
  segments.push(current);
  const entries = new Map<string, string>();
  for (const segment of segments) {
    const m = /^\s*(\w+|'[^']*')\s*:\s*([\s\S]*?)\s*$/.exec(segment);
    if (m) entries.set(m[1]!.replace(/^'|'$/g, ''), m[2]!);
  }
  return entries;
}

/** The value of a Bicep literal (`'text'`, `42`, `-1`, `true`) as a string, else undefined. */
export function literalValue(raw: string): string | undefined {
  const text = raw.trim();
  if (/^'[^']*'$/.test(text)) return text.slice(1, -1);
  if (/^-?\d+$/.test(text) || text === 'true' || text === 'false') return text;
  return undefined;
}

/** Whether `identifier` occurs as a whole word in `text`. */
export function mentions(text: string, identifier: string): boolean {
  return new RegExp(`(?<![\\w.])${identifier}(?!\\w)`).test(text);
}
