import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isMoorError } from '../core/index.js';
import { generateName, NAME_ADJECTIVES, NAME_SURNAMES, validateName } from './container-names.js';

test('validateName accepts Docker’s names and returns them without the leading slash', () => {
  for (const [name, bare] of [
    ['web', 'web'],
    ['/web', 'web'],
    ['a1', 'a1'],
    ['My_app.v2-b', 'My_app.v2-b'],
    ['0x', '0x'],
  ]) {
    assert.equal(validateName(name as string), bare);
  }
});

test('validateName refuses other names with Docker’s message (InvalidArgument)', () => {
  for (const name of ['', '/', 'a', '_web', '-web', '.web', 'we b', 'web/x', '//web', 'wéb']) {
    assert.throws(
      () => validateName(name),
      (err) =>
        isMoorError(err, 'InvalidArgument') &&
        err.message ===
          `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
      JSON.stringify(name),
    );
  }
});

test('the word lists are moor’s own size, unique, and make valid names', () => {
  assert.ok(NAME_ADJECTIVES.length >= 80, `${NAME_ADJECTIVES.length} adjectives`);
  assert.ok(NAME_SURNAMES.length >= 150, `${NAME_SURNAMES.length} surnames`);
  assert.equal(new Set(NAME_ADJECTIVES).size, NAME_ADJECTIVES.length);
  assert.equal(new Set(NAME_SURNAMES).size, NAME_SURNAMES.length);
  for (const word of [...NAME_ADJECTIVES, ...NAME_SURNAMES]) assert.match(word, /^[a-z]+$/);
  assert.ok(!NAME_ADJECTIVES.includes('boring'));
});

/** A deterministic random source cycling through `values`. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

test('generateName draws adjective_surname, covering both ends of each list', () => {
  const first = `${NAME_ADJECTIVES[0]}_${NAME_SURNAMES[0]}`;
  const last = `${NAME_ADJECTIVES.at(-1)}_${NAME_SURNAMES.at(-1)}`;
  assert.equal(
    generateName(() => false, sequence(0)),
    first,
  );
  assert.equal(
    generateName(() => false, sequence(0.999999)),
    last,
  );
  for (let i = 0; i < 200; i++) {
    const name = generateName(() => false);
    assert.match(name, /^[a-z]+_[a-z]+$/);
    assert.doesNotThrow(() => validateName(name));
    assert.notEqual(name, 'boring_wozniak');
  }
});

test('after a collision generateName appends one digit, then falls back as Docker does', () => {
  const taken = new Set<string>();
  const tried: string[] = [];
  const isTaken = (name: string) => {
    tried.push(name);
    return taken.has(name);
  };
  const base = `${NAME_ADJECTIVES[0]}_${NAME_SURNAMES[0]}`;
  taken.add(base);
  assert.equal(generateName(isTaken, sequence(0)), `${base}0`);
  assert.deepEqual(tried, [base, `${base}0`]);

  tried.length = 0;
  const everything = () => true;
  assert.equal(generateName(everything, sequence(0.5), 'c0ffee123456'), 'c0ffee123456');
  assert.throws(
    () => generateName(everything, sequence(0.5)),
    (err) => isMoorError(err, 'Conflict'),
  );
});
