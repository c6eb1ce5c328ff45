import assert from 'node:assert/strict';
import { test } from 'node:test';

import { goFixed, goGeneral } from './go-float.js';

test('%.Ng as Go prints it: shortest digits, half to even on the exact value', () => {
  assert.equal(goGeneral(0, 3), '0');
  assert.equal(goGeneral(0.31, 3), '0.31');
  assert.equal(goGeneral(12.3, 3), '12.3');
  assert.equal(goGeneral(100, 3), '100');
  assert.equal(goGeneral(1.5, 4), '1.5');
  assert.equal(goGeneral(23.5390625, 4), '23.54');
  // 12.25 is exact in binary: a tie, rounded to the even digit (JavaScript says 12.3).
  assert.equal(goGeneral(12.25, 3), '12.2');
  assert.equal(goGeneral(12.75, 3), '12.8');
  // 2.675 is a little below in binary: no tie.
  assert.equal(goGeneral(2.675, 3), '2.67');
  assert.equal(goGeneral(9.995, 3), '9.99');
  assert.equal(goGeneral(9.9951, 3), '10');
});

test('%.Ng switches to the exponent form as Go does', () => {
  assert.equal(goGeneral(999.7, 3), '1e+03');
  assert.equal(goGeneral(1234.5, 3), '1.23e+03');
  assert.equal(goGeneral(1023.99, 4), '1024');
  assert.equal(goGeneral(0.00001, 3), '1e-05');
  assert.equal(goGeneral(0.0001, 3), '0.0001');
  assert.equal(goGeneral(-1500, 2), '-1.5e+03');
});

test('%.Nf as Go prints it', () => {
  assert.equal(goFixed(0, 2), '0.00');
  assert.equal(goFixed(5.5, 2), '5.50');
  assert.equal(goFixed(49.70123, 2), '49.70');
  assert.equal(goFixed(0.125, 2), '0.12');
  assert.equal(goFixed(0.375, 2), '0.38');
  assert.equal(goFixed(0.006, 2), '0.01');
  assert.equal(goFixed(0.0001, 2), '0.00');
  assert.equal(goFixed(99.999, 2), '100.00');
  assert.equal(goFixed(2.5, 0), '2');
  assert.equal(goFixed(3.5, 0), '4');
  assert.equal(goFixed(-1.25, 1), '-1.2');
  assert.equal(goFixed(1e21, 1), '1000000000000000000000.0');
  assert.equal(goFixed(Number.POSITIVE_INFINITY, 2), '+Inf');
});
