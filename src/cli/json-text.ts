/**
 * Go's json.Indent and json.Compact over JSON text: the daemon's bytes are kept as they are
 * (key order, number spelling, escapes), only the whitespace between tokens changes. docker's
 * inspect prints what the daemon sent this way.
 */

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

/** Walks `text`, handing each string literal and each other non-space character to `emit`. */
function tokens(text: string, emit: (token: string, isString: boolean) => void): void {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (isSpace(ch)) continue;
    if (ch !== '"') {
      emit(ch, false);
      continue;
    }
    let end = i + 1;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    emit(text.slice(i, end + 1), true);
    i = end;
  }
}

/** json.Indent(dst, src, "", indent): one member per line, `{}` and `[]` kept compact. */
export function indentJson(text: string, indent = '    '): string {
  let out = '';
  let depth = 0;
  let open = false; // just after `{` or `[`: a newline is due unless the value is empty
  tokens(text, (token, isString) => {
    const closing = !isString && (token === '}' || token === ']');
    if (open && !closing) out += '\n' + indent.repeat(depth);
    if (closing) {
      depth--;
      if (!open) out += '\n' + indent.repeat(depth);
      out += token;
      open = false;
      return;
    }
    open = false;
    if (isString) out += token;
    else if (token === '{' || token === '[') {
      out += token;
      depth++;
      open = true;
    } else if (token === ',') out += ',\n' + indent.repeat(depth);
    else if (token === ':') out += ': ';
    else out += token;
  });
  return out;
}

/** json.Compact: the same text without insignificant whitespace. */
export function compactJson(text: string): string {
  let out = '';
  tokens(text, (token) => (out += token));
  return out;
}

/** Go's json.Marshal of a JS value: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function marshalJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
