import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { FlagSpec } from '../core/index.js';
import { flagUsages, helpPage, wrapHelp } from './help-text.js';

test('help wraps at the last blank that fits, allowing five columns of slop at the end', () => {
  // 79 columns from column 23: 56 left, lines of at most 51 unless the rest fits in 56.
  const text =
    'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)';
  assert.equal(
    wrapHelp(text, 23, 79),
    [
      'Show logs since timestamp (e.g.',
      '                       "2013-01-02T13:23:37Z") or relative (e.g. "42m"',
      '                       for 42 minutes)',
    ].join('\n'),
  );
  assert.equal(wrapHelp('Short enough', 23, 79), 'Short enough');
});

test('newlines in help start new lines at the same indent', () => {
  assert.equal(wrapHelp('First:\nsecond line', 10, 79), 'First:\n          second line');
});

test('a word longer than the room is not broken', () => {
  const word = 'x'.repeat(40);
  assert.equal(wrapHelp(`a ${word} b`, 40, 79), `a\n${' '.repeat(40)}${word} b`);
});

test('too little room: help goes below, indented 16, or is not wrapped at all', () => {
  assert.equal(wrapHelp('one two', 60, 79), `\n${' '.repeat(16)}one two`);
  // Not even 24 columns at indent 16: as is, a newline going to indent 16.
  assert.equal(wrapHelp('one\ntwo', 30, 30), `one\n${' '.repeat(16)}two`);
});

test('options are aligned on the longest name, three columns after it', () => {
  const flags: FlagSpec[] = [
    { name: 'all', short: 'a', type: 'bool', help: 'Show all' },
    { name: 'filter', short: 'f', type: 'list', value: 'filter', help: 'Filter output' },
    { name: 'secret', type: 'bool', hidden: true },
    { name: 'format', type: 'string', help: 'Format' },
  ];
  assert.equal(
    flagUsages(flags, 79),
    [
      '  -a, --all             Show all',
      '  -f, --filter filter   Filter output',
      '      --format string   Format',
    ].join('\n'),
  );
});

test('a help page has docker 28 layout: usage, summary, aliases, options', () => {
  const flags: FlagSpec[] = [
    { name: 'time', short: 't', type: 'string', value: 'int', help: 'Seconds' },
  ];
  assert.equal(
    helpPage(
      {
        usage: 'moor stop [OPTIONS] CONTAINER',
        summary: 'Stop',
        aliases: ['container stop', 'stop'],
        flags,
      },
      80,
    ),
    'Usage:  moor stop [OPTIONS] CONTAINER\n\nStop\n\nAliases:\n  moor container stop, moor stop\n\nOptions:\n  -t, --time int   Seconds\n',
  );
  assert.equal(
    helpPage({ usage: 'moor pause CONTAINER', summary: 'Pause', flags: [] }, 80),
    'Usage:  moor pause CONTAINER\n\nPause\n',
  );
});
