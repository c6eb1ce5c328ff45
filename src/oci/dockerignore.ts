import { posix } from 'node:path';

/**
 * `.dockerignore`, as the docker CLI and dockerd read and match it: one pattern per line,
 * `#` comments, surrounding space trimmed, patterns cleaned like Go's filepath.Clean with a
 * leading `/` dropped, `!` marking an exception. Matching follows Docker's pattern matcher:
 * `*` and `?` within one path element, `**` across any number of elements, `\` escapes, and a
 * pattern that matches a parent directory matches everything below it; the last pattern
 * that matches decides (an exception re-includes).
 */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    let line = raw.replace(/\r$/, '');
    if (line.startsWith('#')) continue;
    line = line.trim();
    if (line === '') continue;
    const invert = line.startsWith('!');
    if (invert) line = line.slice(1).trim();
    if (line === '') continue;
    let cleaned = posix.normalize(line);
    if (cleaned.length > 1 && cleaned.endsWith('/')) cleaned = cleaned.slice(0, -1);
    if (cleaned.length > 1 && cleaned.startsWith('/')) cleaned = cleaned.slice(1);
    patterns.push(invert ? `!${cleaned}` : cleaned);
  }
  return patterns;
}

interface Pattern {
  exclusion: boolean;
  regex: RegExp;
  /** The pattern without its `!`. */
  text: string;
}

export interface IgnoreMatcher {
  /** True when the context path (relative, `/`-separated) is excluded. */
  matches(relPath: string): boolean;
  hasExceptions: boolean;
  /**
   * False when nothing under this excluded directory can be re-included by an exception, so
   * a walk may skip it whole.
   */
  mayMatchInside(dirRelPath: string): boolean;
}

function compile(pattern: string): RegExp {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        source += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') {
      source += '[^/]';
    } else if (ch === '\\' && i + 1 < pattern.length) {
      source += `\\${pattern[++i] as string}`;
    } else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/^!/, '^');
        source += `[${body}]`;
        i = end;
      }
    } else {
      source += ch.replace(/[.+^${}()|\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`${source}$`);
}

export function createIgnoreMatcher(patterns: readonly string[]): IgnoreMatcher {
  const compiled: Pattern[] = patterns.map((p) => {
    const exclusion = p.startsWith('!');
    const text = exclusion ? p.slice(1) : p;
    return { exclusion, regex: compile(text), text };
  });
  const hasExceptions = compiled.some((p) => p.exclusion);
  return {
    hasExceptions,
    matches(relPath) {
      const file = posix.normalize(relPath).replace(/^\/+/, '').replace(/\/+$/, '');
      const parents = posix.dirname(file) === '.' ? [] : posix.dirname(file).split('/');
      let matched = false;
      for (const pattern of compiled) {
        if (pattern.exclusion !== matched) continue;
        let match = pattern.regex.test(file);
        for (let i = 0; !match && i < parents.length; i++) {
          match = pattern.regex.test(parents.slice(0, i + 1).join('/'));
        }
        if (match) matched = !pattern.exclusion;
      }
      return matched;
    },
    mayMatchInside(dirRelPath) {
      if (!hasExceptions) return false;
      const dir = posix.normalize(dirRelPath).replace(/^\/+/, '').replace(/\/+$/, '');
      return compiled.some(
        (p) =>
          p.exclusion &&
          (p.text.includes('**') || p.text.startsWith(`${dir}/`) || /^[*?[]/.test(p.text)),
      );
    },
  };
}
