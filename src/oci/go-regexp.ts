import { invalidArgument } from '../core/index.js';

/**
 * Go's regexp syntax (RE2, Perl flags) turned into an equivalent JavaScript RegExp, for the
 * subset Docker's pattern matcher produces from `.dockerignore` patterns: literals, `\`
 * escapes (punctuation, `\a\f\t\n\r\v`, octal, `\x..`, `\Q…\E`, `\d\s\w` and their negations,
 * `\b\B\A\z`), `.`, groups, `*` `?` `+` quantifiers, `^`/`$` anchors and bracket classes
 * (ranges, negation, `[:alpha:]` names). What Go refuses throws invalidArgument, and so do
 * Unicode classes (`\p{…}`), which the translation does not carry.
 *
 * The result uses the `u` flag, so `.` and classes match whole code points, as Go's runes.
 */
export function compileGoRegexp(source: string): RegExp {
  const chars = Array.from(source);
  let out = '';
  for (let i = 0; i < chars.length;) {
    const ch = chars[i++] as string;
    switch (ch) {
      case '(':
        out += '(?:';
        break;
      case ')':
      case '|':
      case '*':
      case '+':
      case '?':
      case '^':
      case '$':
        out += ch;
        break;
      case '.':
        out += '[^\\n]';
        break;
      case '[': {
        const parsed = parseClass(chars, i);
        out += parsed.text;
        i = parsed.next;
        break;
      }
      case '\\': {
        const parsed = parseTopEscape(chars, i);
        out += parsed.text;
        i = parsed.next;
        break;
      }
      default:
        out += literal(ch.codePointAt(0) as number);
    }
  }
  return new RegExp(out, 'u');
}

type Ranges = Array<[number, number]>;

const MAX_RUNE = 0x10ffff;

const PERL_CLASSES: Record<string, Ranges> = {
  d: [[0x30, 0x39]],
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
};

const POSIX_CLASSES: Record<string, Ranges> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: PERL_CLASSES['w'] as Ranges,
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

function bad(what: string): Error {
  return invalidArgument(`error parsing regexp: ${what}`);
}

function literal(codePoint: number): string {
  const ch = String.fromCodePoint(codePoint);
  return /^[A-Za-z0-9_]$/.test(ch) ? ch : `\\u{${codePoint.toString(16)}}`;
}

function complement(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

function classText(ranges: Ranges, negated: boolean): string {
  const body = ranges
    .map(([lo, hi]) => (lo === hi ? literal(lo) : `${literal(lo)}-${literal(hi)}`))
    .join('');
  return `[${negated ? '^' : ''}${body}]`;
}

/** `\d`, `\D`, `\s`, `\S`, `\w`, `\W` as ranges; undefined for any other letter. */
function perlClass(letter: string): Ranges | undefined {
  const ranges = PERL_CLASSES[letter.toLowerCase()];
  if (ranges === undefined) return undefined;
  return letter === letter.toLowerCase() ? ranges : complement(ranges);
}

interface Parsed {
  text: string;
  next: number;
}

/** An escape outside a class; `i` is just past the backslash. */
function parseTopEscape(chars: string[], i: number): Parsed {
  const letter = chars[i];
  if (letter === undefined) throw bad('trailing backslash at end of expression');
  const assertions: Record<string, string> = { A: '^', z: '$', b: '\\b', B: '\\B' };
  const assertion = assertions[letter];
  if (assertion !== undefined) return { text: assertion, next: i + 1 };
  if (letter === 'Q') {
    let end = i + 1;
    let text = '';
    while (end < chars.length && !(chars[end] === '\\' && chars[end + 1] === 'E')) {
      text += literal((chars[end++] as string).codePointAt(0) as number);
    }
    return { text, next: Math.min(end + 2, chars.length) };
  }
  const perl = perlClass(letter);
  if (perl !== undefined) return { text: classText(perl, false), next: i + 1 };
  const parsed = parseEscape(chars, i);
  return { text: literal(parsed.codePoint), next: parsed.next };
}

/** A single-character escape (Go's parseEscape); `i` is just past the backslash. */
function parseEscape(chars: string[], i: number): { codePoint: number; next: number } {
  const c = chars[i] as string;
  const code = c.codePointAt(0) as number;
  if (code < 0x80 && !/[A-Za-z0-9]/.test(c)) return { codePoint: code, next: i + 1 };
  const octal = (s: string | undefined) => s !== undefined && s >= '0' && s <= '7';
  if (c === '0' || (c >= '1' && c <= '7' && octal(chars[i + 1]))) {
    let value = code - 0x30;
    let next = i + 1;
    for (let n = 1; n < 3 && octal(chars[next]); n++) {
      value = value * 8 + ((chars[next++] as string).codePointAt(0) as number) - 0x30;
    }
    return { codePoint: value, next };
  }
  if (c === 'x') return parseHexEscape(chars, i + 1);
  const controls: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
  const control = controls[c];
  if (control !== undefined) return { codePoint: control, next: i + 1 };
  throw bad(`invalid escape sequence: \\${c}`);
}

function parseHexEscape(chars: string[], i: number): { codePoint: number; next: number } {
  const hex = (s: string | undefined) => s !== undefined && /^[0-9A-Fa-f]$/.test(s);
  if (chars[i] === '{') {
    let end = i + 1;
    while (hex(chars[end])) end++;
    const digits = chars.slice(i + 1, end).join('');
    const value = Number.parseInt(digits, 16);
    if (chars[end] !== '}' || digits === '' || value > MAX_RUNE) {
      throw bad('invalid escape sequence: \\x');
    }
    return { codePoint: value, next: end + 1 };
  }
  if (!hex(chars[i]) || !hex(chars[i + 1])) throw bad('invalid escape sequence: \\x');
  return { codePoint: Number.parseInt(`${chars[i]}${chars[i + 1]}`, 16), next: i + 2 };
}

/** A bracket class (Go's parseClass with Perl flags); `i` is just past the `[`. */
function parseClass(chars: string[], i: number): Parsed {
  let next = i;
  const negated = chars[next] === '^';
  if (negated) next++;
  const ranges: Ranges = [];
  for (let first = true; chars[next] !== ']' || first; first = false) {
    if (next >= chars.length) throw bad('missing closing ]');
    const named =
      chars[next] === '[' && chars[next + 1] === ':' ? namedClass(chars, next) : undefined;
    if (named !== undefined) {
      ranges.push(...named.ranges);
      next = named.next;
      continue;
    }
    if (chars[next] === '\\' && (chars[next + 1] === 'p' || chars[next + 1] === 'P')) {
      throw bad('Unicode classes are not supported');
    }
    const perl = chars[next] === '\\' ? perlClass(chars[next + 1] ?? '') : undefined;
    if (perl !== undefined) {
      ranges.push(...perl);
      next += 2;
      continue;
    }
    const lo = classChar(chars, next);
    let hi = lo;
    next = lo.next;
    if (chars[next] === '-' && chars[next + 1] !== undefined && chars[next + 1] !== ']') {
      hi = classChar(chars, next + 1);
      next = hi.next;
      if (hi.codePoint < lo.codePoint) throw bad('invalid character class range');
    }
    ranges.push([lo.codePoint, hi.codePoint]);
  }
  return { text: classText(ranges, negated), next: next + 1 };
}

function classChar(chars: string[], i: number): { codePoint: number; next: number } {
  const c = chars[i];
  if (c === undefined) throw bad('missing closing ]');
  if (c !== '\\') return { codePoint: c.codePointAt(0) as number, next: i + 1 };
  if (chars[i + 1] === undefined) throw bad('trailing backslash at end of expression');
  return parseEscape(chars, i + 1);
}

/** `[:name:]` or `[:^name:]` at `i`; undefined when no `:]` closes it (then `[` is literal). */
function namedClass(chars: string[], i: number): { ranges: Ranges; next: number } | undefined {
  const rest = chars.slice(i + 2).join('');
  const close = rest.indexOf(':]');
  if (close < 0) return undefined;
  const name = rest.slice(0, close);
  const negated = name.startsWith('^');
  const key = negated ? name.slice(1) : name;
  const ranges = Object.hasOwn(POSIX_CLASSES, key) ? POSIX_CLASSES[key] : undefined;
  if (ranges === undefined) throw bad(`invalid character class range: [:${name}:]`);
  return {
    ranges: negated ? complement(ranges) : ranges,
    next: i + 2 + Array.from(rest.slice(0, close)).length + 2,
  };
}
