/** A piece of a template string: literal text, or the source of one `${{ expr }}`. */
export type TemplateSegment = { kind: 'text'; text: string } | { kind: 'expression'; expression: string };

export type TemplateScan =
  | { ok: true; segments: TemplateSegment[]; exact: boolean }
  | { ok: false; message: string };

const OPEN = '${{';

export function containsTemplate(text: string): boolean {
  return text.includes(OPEN);
}

/** CEL raw strings (`r"..."`, `rb'...'`) do not treat backslash as an escape. */
function hasRawPrefix(text: string, quoteIndex: number): boolean {
  let i = quoteIndex - 1;
  let prefix = '';
  while (i >= 0 && prefix.length < 2 && /[rRbB]/.test(text[i])) {
    prefix = text[i] + prefix;
    i -= 1;
  }
  if (i >= 0 && /[A-Za-z0-9_]/.test(text[i])) return false;
  return /r/i.test(prefix);
}

/** Index just past the string literal starting at `start` (a quote), or -1 when it never ends. */
function skipStringLiteral(text: string, start: number): number {
  const quote = text[start];
  const raw = hasRawPrefix(text, start);
  const triple = text.startsWith(quote.repeat(3), start);
  const terminator = triple ? quote.repeat(3) : quote;
  let i = start + terminator.length;
  while (i < text.length) {
    if (!raw && text[i] === '\\') {
      i += 2;
      continue;
    }
    if (!triple && (text[i] === '\n' || text[i] === '\r')) return -1;
    if (text.startsWith(terminator, i)) return i + terminator.length;
    i += 1;
  }
  return -1;
}

/**
 * Finds the `}}` closing an expression that starts at `from`, skipping string literals and
 * balanced braces of map literals (so `${{ {"a": {"b": 1}} }}` works). Returns -1 if none.
 */
function findClose(text: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = skipStringLiteral(text, i);
      if (i === -1) return -1;
      continue;
    }
    if (c === '{') depth += 1;
    else if (c === '}') {
      if (depth === 0 && text[i + 1] === '}') return i;
      if (depth > 0) depth -= 1;
    }
    i += 1;
  }
  return -1;
}

/**
 * Splits a string into text and `${{ expr }}` segments. The template is `exact` when the whole
 * string is one `${{ expr }}` (whitespace allowed only inside the braces): it then takes the
 * expression's typed value instead of being interpolated as text.
 */
export function scanTemplate(text: string): TemplateScan {
  const segments: TemplateSegment[] = [];
  let cursor = 0;
  for (;;) {
    const open = text.indexOf(OPEN, cursor);
    if (open === -1) break;
    const close = findClose(text, open + OPEN.length);
    if (close === -1) {
      return { ok: false, message: `unterminated "\${{" at offset ${open}: expected a closing "}}"` };
    }
    if (open > cursor) segments.push({ kind: 'text', text: text.slice(cursor, open) });
    segments.push({ kind: 'expression', expression: text.slice(open + OPEN.length, close).trim() });
    cursor = close + 2;
  }
  if (cursor < text.length) segments.push({ kind: 'text', text: text.slice(cursor) });
  const exact = segments.length === 1 && segments[0].kind === 'expression';
  return { ok: true, segments, exact };
}
