import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compactJson, indentJson, marshalJson } from './json-text.js';

test('indentJson matches Go json.Indent with four spaces', () => {
  const raw =
    '[{"Id":"sha256:ab","RepoTags":["busybox:latest"],"Config":{"Env":[],"Labels":{}},"Size":42,"Ok":true}\n]';
  assert.equal(
    indentJson(raw),
    [
      '[',
      '    {',
      '        "Id": "sha256:ab",',
      '        "RepoTags": [',
      '            "busybox:latest"',
      '        ],',
      '        "Config": {',
      '            "Env": [],',
      '            "Labels": {}',
      '        },',
      '        "Size": 42,',
      '        "Ok": true',
      '    }',
      ']',
    ].join('\n'),
  );
});

test('strings keep their bytes, escapes and spaces', () => {
  const raw = '{"a": "x, y: [z] {\\"q\\"} \\u003c"}';
  assert.equal(indentJson(raw), '{\n    "a": "x, y: [z] {\\"q\\"} \\u003c"\n}');
  assert.equal(compactJson(' [ 1 , "a b" , {} ] '), '[1,"a b",{}]');
});

test('marshalJson escapes HTML characters and line separators as Go json.Marshal', () => {
  assert.equal(
    marshalJson({ a: '<x> & y\u2028', b: null, c: [1, true] }),
    '{"a":"\\u003cx\\u003e \\u0026 y\\u2028","b":null,"c":[1,true]}',
  );
  assert.equal(marshalJson(undefined), 'null');
});
