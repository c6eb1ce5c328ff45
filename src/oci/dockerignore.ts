import { invalidArgument, isMoorError } from '../core/index.js';
import { compileGoRegexp } from './go-regexp.js';

/**
 * `.dockerignore`, read and matched exactly as the docker CLI and dockerd do it (Docker's
 * ignorefile reader and pattern matcher), so a context holds the same files here as there.
 */

/** Go's unicode.IsSpace, which Go's strings.TrimSpace trims (JavaScript's trim differs). */
const GO_SPACE =
  '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'gu');

/** Go's bufio.Scanner refuses longer lines (its default token size is 64 KiB). */
const MAX_LINE_BYTES = 64 * 1024;

function goTrimSpace(text: string): string {
  return text.replace(GO_TRIM, '');
}

/** Go's path/filepath.Clean on a `/`-separated path. */
export function goCleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (!rooted) parts.push('..');
  }
  const joined = parts.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

/** Go's filepath.Dir: everything before the last `/`, cleaned (`.` when there is none). */
function goDir(path: string): string {
  return goCleanPath(path.slice(0, path.lastIndexOf('/') + 1));
}

/**
 * The patterns of a `.dockerignore`: a UTF-8 BOM dropped, lines starting with `#` skipped,
 * the rest trimmed, empty lines skipped; each pattern cleaned (filepath.Clean) with one
 * leading `/` removed, and an exception keeping its `!` (`! /a/../b` → `!b`). A line of 64 KiB
 * or more throws invalidArgument('bufio.Scanner: token too long'), as Docker's reader fails.
 */
export function parseDockerignore(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const patterns: string[] = [];
  for (const [index, raw] of lines.entries()) {
    if (Buffer.byteLength(raw) >= MAX_LINE_BYTES) {
      throw invalidArgument('bufio.Scanner: token too long');
    }
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (index === 0 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (line.startsWith('#')) continue;
    line = goTrimSpace(line);
    if (line === '') continue;
    const invert = line.startsWith('!');
    if (invert) line = goTrimSpace(line.slice(1));
    if (line !== '') {
      line = goCleanPath(line);
      if (line.length > 1 && line.startsWith('/')) line = line.slice(1);
    }
    patterns.push(invert ? `!${line}` : line);
  }
  return patterns;
}

/** Matches paths against `.dockerignore` patterns. */
export interface IgnoreMatcher {
  /**
   * True when the relative, `/`-separated path is excluded: the last pattern that matches it
   * or one of its parent directories decides, an exception (`!`) re-including. Throws
   * invalidArgument('syntax error in pattern') when a pattern it has to try is one Go's
   * regexp refuses (Docker reports the same, lazily, for such patterns).
   */
  matches(relPath: string): boolean;
  /** Whether any pattern is an exception. */
  hasExceptions: boolean;
  /**
   * Whether a walk must still enter an excluded directory: true when an exception pattern
   * starts with the directory's path (Docker's rule — exceptions such as `!**\/keep` do not
   * count, so the docker CLI skips the directory whole and so must everyone).
   */
  mayMatchInside(dirRelPath: string): boolean;
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

interface Pattern {
  exclusion: boolean;
  /** The cleaned pattern, without its `!`. */
  text: string;
  match(path: string): boolean;
}

const SYNTAX_ERROR = 'syntax error in pattern';

/**
 * A matcher over patterns as parseDockerignore returns them (each trimmed and cleaned again,
 * empty ones skipped). Throws invalidArgument for `!` alone (`illegal exclusion pattern: "!"`)
 * and for a pattern Go's filepath.Match calls malformed (`syntax error in pattern`).
 */
export function createIgnoreMatcher(patterns: readonly string[]): IgnoreMatcher {
  const compiled: Pattern[] = [];
  for (const raw of patterns) {
    let text = goTrimSpace(raw);
    if (text === '') continue;
    text = goCleanPath(text);
    const exclusion = text.startsWith('!');
    if (exclusion) {
      if (text.length === 1) throw invalidArgument('illegal exclusion pattern: "!"');
      text = text.slice(1);
    }
    checkGlobSyntax(text);
    compiled.push({ exclusion, text, match: compilePattern(text) });
  }
  const exceptions = compiled.filter((p) => p.exclusion);
  return {
    hasExceptions: exceptions.length > 0,
    matches: (relPath) => matchesOrParentMatches(compiled, relPath),
    mayMatchInside(dirRelPath) {
      const dirSlash = `${dirRelPath}/`;
      return exceptions.some((p) => `${p.text}/`.startsWith(dirSlash));
    },
  };
}

function matchesOrParentMatches(patterns: readonly Pattern[], file: string): boolean {
  const parent = goDir(file);
  const parentDirs = parent.split('/');
  let matched = false;
  for (const pattern of patterns) {
    // An inclusion cannot change an excluded path, nor an exception an included one.
    if (pattern.exclusion !== matched) continue;
    let match = pattern.match(file);
    for (let i = 0; !match && parent !== '.' && i < parentDirs.length; i++) {
      match = pattern.match(parentDirs.slice(0, i + 1).join('/'));
    }
    if (match) matched = !pattern.exclusion;
  }
  return matched;
}

/**
 * Docker's translation of one pattern: `*` and `?` stay within a path element, `**` spans
 * elements (a leading `**` also matches a plain suffix, a trailing one any prefix), `\` escapes,
 * `[...]` classes pass through to the regexp — quirks included.
 */
function compilePattern(pattern: string): (path: string) => boolean {
  const chars = Array.from(pattern);
  let source = '^';
  let type: MatchType = 'exact';
  for (let i = 0, at = 0; at < chars.length; i++) {
    const ch = chars[at++] as string;
    if (ch === '*' && chars[at] === '*') {
      at++;
      if (chars[at] === '/') at++;
      if (at < chars.length) {
        source += '(.*/)?';
        type = 'regexp';
      } else if (type === 'exact') {
        type = 'prefix';
      } else {
        source += '.*';
        type = 'regexp';
      }
      if (i === 0) type = 'suffix';
    } else if (ch === '*' || ch === '?') {
      source += ch === '*' ? '[^/]*' : '[^/]';
      type = 'regexp';
    } else if ('.+()|{}$'.includes(ch)) {
      source += `\\${ch}`;
    } else if (ch === '\\' && at < chars.length) {
      source += `\\${chars[at++] as string}`;
      type = 'regexp';
    } else {
      source += ch;
      if (ch === '[' || ch === ']') type = 'regexp';
    }
  }
  switch (type) {
    case 'exact':
      return (path) => path === pattern;
    case 'prefix':
      return (path) => path.startsWith(pattern.slice(0, -2));
    case 'suffix': {
      const suffix = pattern.slice(2);
      return (path) =>
        path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    case 'regexp':
      return regexpMatcher(`${source}$`);
  }
}

function regexpMatcher(source: string): (path: string) => boolean {
  let regexp: RegExp;
  try {
    regexp = compileGoRegexp(source);
  } catch (err) {
    // What Go's regexp refuses (a reversed range, an unknown escape) fails each match.
    if (!isMoorError(err, 'InvalidArgument') && !(err instanceof SyntaxError)) throw err;
    return () => {
      throw invalidArgument(SYNTAX_ERROR);
    };
  }
  return (path) => regexp.test(path);
}

/**
 * Go's filepath.Match syntax check (what Docker runs on every pattern): each `[` class must
 * close, hold at least one range, have no unescaped `-` or `]` where a character belongs, and
 * no `\` may end the pattern.
 */
function checkGlobSyntax(pattern: string): void {
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '\\') {
      if (++i >= chars.length) throw invalidArgument(SYNTAX_ERROR);
    } else if (chars[i] === '[') {
      i = checkClass(chars, i + 1);
    }
  }
}

/** Checks the class starting at `i` (past `[`); returns the index of its closing `]`. */
function checkClass(chars: string[], start: number): number {
  let i = chars[start] === '^' ? start + 1 : start;
  for (let ranges = 0; ; ranges++) {
    if (chars[i] === ']' && ranges > 0) return i;
    i = classElement(chars, i);
    if (chars[i] === '-') i = classElement(chars, i + 1);
  }
}

/** One possibly escaped character of a class; returns the index after it. */
function classElement(chars: string[], i: number): number {
  const ch = chars[i];
  if (ch === undefined || ch === '-' || ch === ']') throw invalidArgument(SYNTAX_ERROR);
  const next = ch === '\\' ? i + 2 : i + 1;
  if (ch === '\\' && chars[i + 1] === undefined) throw invalidArgument(SYNTAX_ERROR);
  // Go requires something after each character of a class: at least its closing `]`.
  if (next >= chars.length) throw invalidArgument(SYNTAX_ERROR);
  return next;
}
