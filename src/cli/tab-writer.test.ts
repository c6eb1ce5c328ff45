import assert from 'node:assert/strict';
import { test } from 'node:test';

import { displayWidth, tabwrite } from './tab-writer.js';

test('columns are as wide as their widest cell plus 3, at least 10', () => {
  const text =
    'REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n' +
    'busybox\tlatest\tbeae173ccac6\t2 years ago\t1.24MB\n';
  assert.equal(
    tabwrite(text),
    'REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n' +
      'busybox      latest    beae173ccac6   2 years ago   1.24MB\n',
  );
});

test('the text after the last tab belongs to no column', () => {
  assert.equal(
    tabwrite('a\tb\nlonger-cell-here\tc\n'),
    `a${' '.repeat(18)}b\nlonger-cell-here   c\n`,
  );
  assert.equal(tabwrite('a\tb'), 'a         b');
});

test('a line without tabs ends the block of aligned lines', () => {
  const text = 'a\tb\nplain line\nlonger-first\tx\n';
  assert.equal(tabwrite(text), 'a         b\nplain line\nlonger-first   x\n');
});

test('lines with fewer cells close the columns to their right', () => {
  const text = 'a\tb\tc\nd\te\nf\tg\th\n';
  assert.equal(tabwrite(text), 'a         b         c\nd         e\nf         g         h\n');
  assert.equal(tabwrite('x\t\ty\n'), `x${' '.repeat(19)}y\n`);
});

test('wide characters count two columns', () => {
  assert.equal(displayWidth('日本'), 4);
  assert.equal(displayWidth('e\u0301'), 1);
  assert.equal(tabwrite('日本語\tx\nab\ty\n'), `日本語    x\nab${' '.repeat(8)}y\n`);
});

test('empty input and custom options', () => {
  assert.equal(tabwrite(''), '');
  assert.equal(tabwrite('a\tb\n', { minWidth: 0, padding: 1 }), 'a b\n');
});
