import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ByteWriter } from './byte-writer.js';
import { goJsonString, unescapeJsonString } from './go-json.js';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

// Expected strings are what Go (dockerd's jsonlog writer, and encoding/json) produces.
test('dockerd json-file escaping', () => {
  assert.equal(goJsonString(bytes('hello\n')), '"hello\\n"');
  assert.equal(goJsonString(bytes('a\tb\r\n')), '"a\\u0009b\\r\\n"');
  assert.equal(
    goJsonString(bytes('<a href="x">&</a>')),
    '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"',
  );
  assert.equal(goJsonString(bytes('back\\slash')), '"back\\\\slash"');
  assert.equal(
    goJsonString(bytes([0, 0x1b, 0x7f, 0x08, 0x0c])),
    '"\\u0000\\u001b\x7f\\u0008\\u000c"',
  );
  assert.equal(goJsonString(bytes('/')), '"/"');
  assert.equal(goJsonString(bytes('')), '""');
});

test('non-ASCII: valid UTF-8 as is, U+2028/2029 escaped, each invalid byte \\ufffd', () => {
  assert.equal(goJsonString(bytes('héllo wörld ✓ 😀')), '"héllo wörld ✓ 😀"');
  assert.equal(goJsonString(bytes('a\u2028b\u2029c')), '"a\\u2028b\\u2029c"');
  // U+FFFD itself is valid and kept.
  assert.equal(goJsonString(bytes('\ufffd')), '"\ufffd"');
  assert.equal(goJsonString(bytes([0xff, 0x41])), '"\\ufffdA"');
  // A truncated sequence: one replacement per byte, as utf8.DecodeRune reports size 1.
  assert.equal(goJsonString(bytes([0xe2, 0x82])), '"\\ufffd\\ufffd"');
  assert.equal(goJsonString(bytes([0xe2, 0x82, 0x41])), '"\\ufffd\\ufffdA"');
  // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are invalid.
  assert.equal(goJsonString(bytes([0xc0, 0xaf])), '"\\ufffd\\ufffd"');
  assert.equal(goJsonString(bytes([0xed, 0xa0, 0x80])), '"\\ufffd\\ufffd\\ufffd"');
  assert.equal(goJsonString(bytes([0xf4, 0x90, 0x80, 0x80])), '"\\ufffd\\ufffd\\ufffd\\ufffd"');
  assert.equal(goJsonString(bytes([0xe0, 0x80, 0x80])), '"\\ufffd\\ufffd\\ufffd"');
  assert.equal(goJsonString(bytes([0xf0, 0x9f, 0x98])), '"\\ufffd\\ufffd\\ufffd"');
});

test('encoding/json style (attrs) has the short \\t \\b \\f escapes', () => {
  assert.equal(goJsonString(bytes('a\tb\x08\x0c<'), 'encoding-json'), '"a\\tb\\b\\f\\u003c"');
});

function unescape(text: string): Buffer | undefined {
  const src = Buffer.from(text);
  const w = new ByteWriter(16);
  return unescapeJsonString(w, src, 0, src.length) ? Buffer.from(w.bytesWritten()) : undefined;
}

test('unescaping: every escape, surrogate pairs, lone surrogates as U+FFFD', () => {
  assert.equal(unescape('a\\"b\\\\c\\/d\\b\\f\\n\\r\\t')?.toString(), 'a"b\\c/d\b\f\n\r\t');
  assert.equal(unescape('\\u003c\\u00e9\\u2028')?.toString(), '<é\u2028');
  assert.equal(unescape('\\ud83d\\ude00')?.toString(), '😀');
  assert.equal(unescape('\\ud83dx')?.toString(), '\ufffdx');
  assert.equal(unescape('\\ude00')?.toString(), '\ufffd');
  assert.equal(unescape('raw ✓')?.toString(), 'raw ✓');
  assert.equal(unescape('\\x'), undefined);
  assert.equal(unescape('\\u12'), undefined);
});

test('escaping then unescaping gives the bytes back (valid UTF-8)', () => {
  const samples = ['plain\n', '\t<>&"\\\u0001\u2029', 'ü😀\r\n', ''];
  for (const s of samples) {
    const quoted = goJsonString(Buffer.from(s));
    assert.equal(unescape(quoted.slice(1, -1))?.toString(), s);
    assert.equal(JSON.parse(quoted), s);
  }
});
