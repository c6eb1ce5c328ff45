import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseGoDuration } from './go-duration.js';
import { expandWord, expandWords } from './shell-word.js';
import { parseSignal } from './signal.js';

const ENV = ['A=one', 'EMPTY=', 'SP=a b', 'A=two'];

test('expandWord: quotes, escapes and variables', () => {
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['$A', 'two'], // the last entry of a key wins
    ['${A}x', 'twox'],
    ['$Ax', ''],
    ['"$A and $SP"', 'two and a b'],
    ["'$A'", '$A'],
    ['\\$A', '$A'],
    ['"\\$A \\" \\\\ \\n"', '$A " \\ \\n'],
    ['a\\ b', 'a b'],
    ['$', '$'],
    ['cost: $5', 'cost: '],
    ['${NOPE:-def}', 'def'],
    ['${EMPTY:-def}', 'def'],
    ['${EMPTY-def}', ''],
    ['${A:-def}', 'two'],
    ['${A:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${NOPE+alt}', ''],
    ['${NOPE:-"x y"}', 'x y'],
    ['${NOPE:-$A}', 'two'],
    ['mixed"quo"\'ted\'', 'mixedquoted'],
  ];
  for (const [word, want] of cases) assert.equal(expandWord(word, ENV), want, word);
});

test('expandWord with the backtick escape token', () => {
  const backtick = { escapeToken: '`' } as const;
  const cases: [string, string][] = [
    ['C:\\dir\\$A', 'C:\\dir\\two'],
    ['`$A', '$A'],
    ['a` b', 'a b'],
    ['"x `" `$A \\"', 'x " $A \\'],
    ['``', '`'],
  ];
  for (const [word, want] of cases) assert.equal(expandWord(word, ENV, backtick), want, word);
  assert.deepEqual(expandWords('a` b c', [], backtick), ['a b', 'c']);
  assert.equal(expandWord('\\$A', ENV), '$A');
});

test('expandWord errors name the word', () => {
  const bad: [string, string][] = [
    ['${A', "syntax error: missing '}'"],
    ['${', "syntax error: missing '}'"],
    ['${}', 'syntax error: bad substitution'],
    ['${:x}', 'syntax error: bad substitution'],
    ['${A%x}', 'unsupported modifier (%) in substitution'],
    ['${A:x}', 'unsupported modifier (:x) in substitution'],
    ['${NOPE?}', 'NOPE: is not allowed to be unset'],
    ['${EMPTY:?}', 'EMPTY: is not allowed to be empty'],
    ['"open', 'unexpected end of statement while looking for matching double-quote'],
    ["'open", 'unexpected end of statement while looking for matching single-quote'],
  ];
  for (const [word, why] of bad) {
    assert.throws(() => expandWord(word, ENV), {
      message: `failed to process ${JSON.stringify(word)}: ${why}`,
    });
  }
});

test('expandWords splits on unquoted whitespace only', () => {
  assert.deepEqual(expandWords('$SP c', ENV), ['a', 'b', 'c']);
  assert.deepEqual(expandWords('"$SP" c', ENV), ['a b', 'c']);
  assert.deepEqual(expandWords('80', ENV), ['80']);
  assert.deepEqual(expandWords('', ENV), []);
});

test('parseGoDuration follows time.ParseDuration', () => {
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('30s'), 30e9);
  assert.equal(parseGoDuration('1m30s'), 90e9);
  assert.equal(parseGoDuration('1.5h'), 5400e9);
  assert.equal(parseGoDuration('.5s'), 5e8);
  assert.equal(parseGoDuration('300ms'), 3e8);
  assert.equal(parseGoDuration('10us'), 1e4);
  assert.equal(parseGoDuration('10µs'), 1e4);
  assert.equal(parseGoDuration('-2ns'), -2);
  assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
  assert.throws(() => parseGoDuration('s'), { message: 'time: invalid duration "s"' });
  assert.throws(() => parseGoDuration('3'), { message: 'time: missing unit in duration "3"' });
  assert.throws(() => parseGoDuration('3d'), {
    message: 'time: unknown unit "d" in duration "3d"',
  });
});

test('parseSignal accepts numbers and names as docker does', () => {
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal('KILL'), 9);
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('sigusr1'), 10);
  assert.equal(parseSignal('SIGRTMIN+3'), 37);
  assert.equal(parseSignal('RTMAX-1'), 63);
  assert.throws(() => parseSignal('0'), { message: 'invalid signal: 0' });
  assert.throws(() => parseSignal('SIGNOPE'), { message: 'invalid signal: SIGNOPE' });
  assert.throws(() => parseSignal(''), { message: 'invalid signal: ' });
});
