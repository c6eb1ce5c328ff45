import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  TemplateError,
  compileTemplate,
  formatValue,
  isTableFormat,
  isTrue,
  renderTemplate,
  sprintf,
} from './go-template.js';
import { withEscapedJson } from './go-values.js';

const render = renderTemplate;

function throwsTemplate(template: string, data: unknown, message: string | RegExp): void {
  assert.throws(
    () => render(template, data),
    (err: unknown) => {
      assert.ok(err instanceof TemplateError, `not a TemplateError: ${String(err)}`);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

test('literal text and dot', () => {
  assert.equal(render('hello world', {}), 'hello world');
  assert.equal(render('', {}), '');
  assert.equal(render('{{.}}', 'abc'), 'abc');
  assert.equal(render('<{{.}}>', 42), '<42>');
  assert.equal(render('{ not an action }', {}), '{ not an action }');
});

test('fields and field chains', () => {
  const data = { Name: 'web', Config: { Cmd: ['sh', '-c', 'echo hi'], Image: 'alpine' } };
  assert.equal(render('{{.Name}}', data), 'web');
  assert.equal(render('{{.Config.Image}}', data), 'alpine');
  assert.equal(render('{{.Config.Cmd}}', data), '[sh -c echo hi]');
  assert.equal(render('{{.Name}} runs {{.Config.Image}}', data), 'web runs alpine');
});

test('fields are found by exact key first, then case-insensitively', () => {
  assert.equal(render('{{.Name}}', { name: 'lower' }), 'lower');
  assert.equal(render('{{.ID}}', { id: 'abc' }), 'abc');
  assert.equal(render('{{.name}}', { Name: 'A', name: 'b' }), 'b');
  assert.equal(render('{{.Name}}', { Name: 'A', name: 'b' }), 'A');
  assert.equal(render('{{.State.Status}}', { state: { status: 'running' } }), 'running');
});

test('fields of a Map and method fields', () => {
  assert.equal(render('{{.Name}}', new Map([['Name', 'm']])), 'm');
  const row = {
    labels: { 'com.x': 'y' },
    Label(key: string): string {
      return this.labels[key as 'com.x'] ?? '';
    },
    Names: () => 'n1,n2',
  };
  assert.equal(render('{{.Label "com.x"}}', row), 'y');
  assert.equal(render('{{.Names}}', row), 'n1,n2');
  assert.equal(render('{{"com.x" | .Label}}', row), 'y');
});

test('missing values print <no value>', () => {
  assert.equal(render('{{.Missing}}', {}), '<no value>');
  assert.equal(render('{{.A.B.C}}', {}), '<no value>');
  assert.equal(render('{{.A}}', { A: null }), '<no value>');
  assert.equal(render('{{.}}', undefined), '<no value>');
});

test('values print as Go fmt %v prints them', () => {
  assert.equal(render('{{.}}', true), 'true');
  assert.equal(render('{{.}}', false), 'false');
  assert.equal(render('{{.}}', 0), '0');
  assert.equal(render('{{.}}', -17), '-17');
  assert.equal(render('{{.}}', 1_700_000_000), '1700000000');
  assert.equal(render('{{.}}', 1.5), '1.5');
  assert.equal(render('{{.}}', 0.00001), '1e-05');
  assert.equal(render('{{.}}', 1234567.5), '1.2345675e+06');
  assert.equal(render('{{.}}', 10n), '10');
  assert.equal(render('{{.}}', ['a', 'b', 'c']), '[a b c]');
  assert.equal(render('{{.}}', []), '[]');
  assert.equal(render('{{.}}', ['a', null, 1, true]), '[a <nil> 1 true]');
  assert.equal(render('{{.}}', { b: 2, a: 1 }), 'map[a:1 b:2]');
  assert.equal(render('{{.}}', {}), 'map[]');
  assert.equal(render('{{.}}', { x: { y: [1, 2] }, n: null }), 'map[n:<nil> x:map[y:[1 2]]]');
  assert.equal(
    render(
      '{{.}}',
      new Map([
        ['z', 1],
        ['a', 2],
      ]),
    ),
    'map[a:2 z:1]',
  );
  assert.equal(render('{{.}}', [['a', 'b'], { k: 'v' }]), '[[a b] map[k:v]]');
  assert.equal(formatValue(null), '<nil>');
  assert.equal(formatValue(null, true), '<no value>');
});

test('index on maps, arrays and strings', () => {
  const data = {
    Labels: { 'com.example.role': 'db', 'com.example.tier': 'back' },
    Arr: ['x', 'y', 'z'],
    Nested: { a: [10, 20] },
    Mixed: { n: 1 },
    Nil: null,
  };
  assert.equal(render('{{index .Labels "com.example.role"}}', data), 'db');
  assert.equal(render('{{index .Arr 0}}{{index .Arr 2}}', data), 'xz');
  assert.equal(render('{{index .Nested "a" 1}}', data), '20');
  assert.equal(render('{{index "abc" 1}}', data), '98');
  assert.equal(render('{{index .Labels "missing"}}', data), '');
  assert.equal(render('{{index .Nil "missing"}}', data), '');
  assert.equal(render('{{index .Mixed "missing"}}', data), '<no value>');
  assert.equal(render('{{index .M "k"}}', { M: new Map([['k', 'v']]) }), 'v');
  throwsTemplate(
    '{{index .Arr 5}}',
    data,
    'template: :1:2: executing "" at <index .Arr 5>: error calling index: index out of range: 5',
  );
  throwsTemplate('{{index .Arr "a"}}', data, /cannot index slice\/array with type string/);
});

test('pipelines pass the value as the last argument', () => {
  const data = { Names: 'web', Tags: ['a', 'b'] };
  assert.equal(render('{{.Names | upper}}', data), 'WEB');
  assert.equal(render('{{.Names | printf "%s!"}}', data), 'web!');
  assert.equal(render('{{.Names | printf "%s-%s" "x"}}', data), 'x-web');
  assert.equal(render('{{.Names | upper | lower | title}}', data), 'Web');
  assert.equal(render('{{.Tags | len}}', data), '2');
  assert.equal(render('{{(index .Tags 1) | upper}}', data), 'B');
  assert.equal(render('{{len (index .Tags 0)}}', data), '1');
});

test('json is compact like docker’s encoder: HTML characters kept, except in list rows', () => {
  const data = { Cmd: ['sh', '-c', 'a && b > c'], Env: null, Size: 12, Ok: true, Name: 'x<y>' };
  assert.equal(
    render('{{json .}}', data),
    '{"Cmd":["sh","-c","a && b > c"],"Env":null,"Size":12,"Ok":true,"Name":"x<y>"}',
  );
  assert.equal(render('{{json .Name}}', data), '"x<y>"');
  assert.equal(render('{{json .}}', 'a\u2028b'), '"a\\u2028b"');
  assert.equal(
    render('{{json .}}', withEscapedJson({ Name: 'x<y>&' })),
    '{"Name":"x\\u003cy\\u003e\\u0026"}',
  );
  assert.equal(render('{{json .Missing}}', data), 'null');
  assert.equal(render('{{json .Cmd}}', data), '["sh","-c","a && b > c"]');
  assert.equal(render('{{json .}}', new Map([['a', 1]])), '{"a":1}');
  assert.equal(render('{{.Size | json}}', data), '12');
});

test('upper, lower and title', () => {
  assert.equal(render('{{upper "abc"}}', {}), 'ABC');
  assert.equal(render('{{lower "ABC"}}', {}), 'abc');
  assert.equal(render('{{title "hello wide world"}}', {}), 'Hello Wide World');
  assert.equal(render('{{title "foo-bar baz_qux"}}', {}), 'Foo-Bar Baz_qux');
  assert.equal(render('{{title "it\'s fOO"}}', {}), "It's FOO");
  assert.equal(render('{{upper .N}}', { N: 5 }), '5');
});

test('split and join', () => {
  const data = { Names: 'a,b,c', List: ['x', 'y'] };
  assert.equal(render('{{split .Names ","}}', data), '[a b c]');
  assert.equal(render('{{index (split .Names ",") 1}}', data), 'b');
  assert.equal(render('{{join .List ", "}}', data), 'x, y');
  assert.equal(render('{{join (split .Names ",") "+"}}', data), 'a+b+c');
  assert.equal(render('{{split "ab" ""}}', data), '[a b]');
});

test('truncate and pad', () => {
  const data = { ID: '0123456789abcdef', Short: 'ab', Empty: '' };
  assert.equal(render('{{truncate .ID 12}}', data), '0123456789ab');
  assert.equal(render('{{truncate .Short 12}}', data), 'ab');
  throwsTemplate('{{.ID | truncate 4}}', data, /expected int; got string$/);
  assert.equal(render('[{{pad .Short 2 3}}]', data), '[  ab   ]');
  assert.equal(render('[{{pad .Empty 2 3}}]', data), '[]');
  throwsTemplate('{{pad .Short -1 0}}', data, /error calling pad: strings: negative Repeat count$/);
});

test('print, println and printf', () => {
  assert.equal(render('{{print "a" "b"}}', {}), 'ab');
  assert.equal(render('{{print "a" 1 2 "b"}}', {}), 'a1 2b');
  assert.equal(render('{{print .X}}', {}), '<nil>');
  assert.equal(render('{{println "a" 1}}', {}), 'a 1\n');
  assert.equal(render('{{println}}', {}), '\n');
  assert.equal(render('{{printf "%s=%d" "n" 3}}', {}), 'n=3');
  assert.equal(
    render('{{printf "%v %v %v" .L .M true}}', { L: [1, 2], M: { a: 'b' } }),
    '[1 2] map[a:b] true',
  );
  assert.equal(render('{{printf "%q" "a\\"b"}}', {}), '"a\\"b"');
  assert.equal(render('{{printf "100%%"}}', {}), '100%');
  assert.equal(render('{{printf "%-6s|%6s|" "ab" "cd"}}', {}), 'ab    |    cd|');
  assert.equal(render('{{printf "%05d|%+d|%x|%X" 42 7 255 255}}', {}), '00042|+7|ff|FF');
  assert.equal(render('{{printf "%.2f %e %g" 3.14159 1500.0 0.5}}', {}), '3.14 1.500000e+03 0.5');
  assert.equal(render('{{printf "%.3s" "abcdef"}}', {}), 'abc');
  assert.equal(render('{{printf "%t" false}}', {}), 'false');
});

test('printf reports bad verbs, missing and extra operands like Go', () => {
  assert.equal(sprintf('%d', ['x']), '%!d(string=x)');
  assert.equal(sprintf('%s', [5]), '%!s(int=5)');
  assert.equal(sprintf('%d %d', [1]), '1 %!d(MISSING)');
  assert.equal(sprintf('%d', [1, 'a']), '1%!(EXTRA string=a)');
  assert.equal(sprintf('%s', [null]), '%!s(<nil>)');
  assert.equal(sprintf('%v', [null]), '<nil>');
  assert.equal(sprintf('%', []), '%!(NOVERB)');
  assert.equal(sprintf('%q', [['a', 'b']]), '["a" "b"]');
  assert.equal(sprintf('%q', ['tab\there\x01']), '"tab\\there\\x01"');
});

test('len counts bytes of strings, elements of arrays and keys of maps', () => {
  assert.equal(render('{{len .}}', 'abc'), '3');
  assert.equal(render('{{len .}}', 'é'), '2');
  assert.equal(render('{{len .}}', [1, 2, 3, 4]), '4');
  assert.equal(render('{{len .}}', { a: 1, b: 2 }), '2');
  assert.equal(render('{{len .}}', new Map([[1, 1]])), '1');
  throwsTemplate('{{len .}}', 5, /error calling len: len of type int$/);
});

test('slice of strings and arrays', () => {
  assert.equal(render('{{slice . 1 3}}', 'abcd'), 'bc');
  assert.equal(render('{{slice . 2}}', 'abcd'), 'cd');
  assert.equal(render('{{slice .}}', 'abcd'), 'abcd');
  assert.equal(render('{{slice . 1 3}}', ['a', 'b', 'c', 'd']), '[b c]');
  throwsTemplate('{{slice . 1 9}}', 'abc', /error calling slice: index out of range: 9$/);
});

test('if, else if and else', () => {
  const tpl = '{{if eq .S "a"}}A{{else if eq .S "b"}}B{{else}}other{{end}}';
  assert.equal(render(tpl, { S: 'a' }), 'A');
  assert.equal(render(tpl, { S: 'b' }), 'B');
  assert.equal(render(tpl, { S: 'c' }), 'other');
  assert.equal(render('{{if .X}}yes{{end}}', { X: 1 }), 'yes');
  assert.equal(render('{{if .X}}yes{{end}}', {}), '');
  assert.equal(render('{{if .A}}a{{else}}{{if .B}}b{{end}}{{end}}', { B: true }), 'b');
});

test('Go truthiness', () => {
  for (const value of [false, 0, '', [], {}, null, undefined, new Map()]) {
    assert.equal(isTrue(value), false, `${JSON.stringify(value) ?? 'undefined'} is false`);
    assert.equal(render('{{if .}}t{{else}}f{{end}}', value), 'f');
  }
  for (const value of [true, 1, -1, 'x', [0], { a: 0 }, new Map([[0, 0]])]) {
    assert.equal(isTrue(value), true);
    assert.equal(render('{{if .}}t{{else}}f{{end}}', value), 't');
  }
});

test('range over arrays rebinds dot; index and value variables', () => {
  const data = { List: ['a', 'b', 'c'], Prefix: '>' };
  assert.equal(render('{{range .List}}[{{.}}]{{end}}', data), '[a][b][c]');
  assert.equal(render('{{range $i, $v := .List}}{{$i}}={{$v}} {{end}}', data), '0=a 1=b 2=c ');
  assert.equal(render('{{range $v := .List}}{{$v}}{{end}}', data), 'abc');
  assert.equal(render('{{range .List}}{{$.Prefix}}{{.}}{{end}}', data), '>a>b>c');
  assert.equal(
    render('{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}', {
      Mounts: [
        { Source: '/a', Destination: '/x' },
        { Source: '/b', Destination: '/y' },
      ],
    }),
    '/a:/x /b:/y ',
  );
});

test('range over maps goes in sorted key order', () => {
  const data = { M: { zeta: 1, alpha: 2, mid: 3 } };
  assert.equal(
    render('{{range $k, $v := .M}}{{$k}}={{$v}};{{end}}', data),
    'alpha=2;mid=3;zeta=1;',
  );
  assert.equal(render('{{range .M}}{{.}}{{end}}', data), '231');
  const map = new Map([
    ['b', 'B'],
    ['a', 'A'],
  ]);
  assert.equal(render('{{range $k, $v := .}}{{$k}}{{$v}}{{end}}', map), 'aAbB');
});

test('range else, break, continue and integers', () => {
  assert.equal(render('{{range .L}}x{{else}}empty{{end}}', { L: [] }), 'empty');
  assert.equal(render('{{range .L}}x{{else}}empty{{end}}', {}), 'empty');
  assert.equal(render('{{range .}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}', [1, 2, 3, 4]), '12');
  assert.equal(render('{{range .}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}', [1, 2, 3]), '13');
  assert.equal(render('{{range 3}}{{.}}{{end}}', {}), '012');
  throwsTemplate('{{range .}}{{end}}', 'abc', /range can't iterate over abc$/);
});

test('with rebinds dot when the value is true', () => {
  const data = { State: { Health: { Status: 'healthy' } }, Empty: '' };
  assert.equal(render('{{with .State.Health}}{{.Status}}{{end}}', data), 'healthy');
  assert.equal(render('{{with .Empty}}x{{else}}none{{end}}', data), 'none');
  assert.equal(render('{{with .Nope}}x{{else with .Empty}}y{{else}}z{{end}}', data), 'z');
  assert.equal(render('{{with $h := .State.Health}}{{$h.Status}}{{end}}', data), 'healthy');
});

test('variables, assignment and the root $', () => {
  const data = { Name: 'web', Items: [1, 2] };
  assert.equal(render('{{$x := .Name}}{{$x}}-{{$x}}', data), 'web-web');
  assert.equal(render('{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', data), '2');
  assert.equal(render('{{range .Items}}{{$.Name}}{{.}}{{end}}', data), 'web1web2');
  assert.equal(render('{{$.Name}}', data), 'web');
  assert.equal(render('{{$n := len .Items}}{{$n}}', data), '2');
  throwsTemplate(
    '{{if true}}{{$y := 1}}{{end}}{{$y}}',
    data,
    'template: :1: undefined variable "$y"',
  );
});

test('comparison and logic functions', () => {
  assert.equal(
    render('{{eq 1 1}} {{eq "a" "b"}} {{eq .S "x" "y" "z"}}', { S: 'z' }),
    'true false true',
  );
  assert.equal(
    render('{{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', {}),
    'true true true true false',
  );
  assert.equal(render('{{eq .N 3}} {{eq .N "3"}}', { N: 3 }), 'true true');
  assert.equal(render('{{not true}} {{not ""}}', {}), 'false true');
  assert.equal(render('{{and 1 "x"}} {{and 1 0 "x"}} {{or 0 "" "y"}} {{or 0 ""}}', {}), 'x 0 y ');
  assert.equal(render('{{and false (index .L 9)}}', { L: [] }), 'false');
  assert.equal(render('{{or true (index .L 9)}}', { L: [] }), 'true');
  assert.equal(render('{{if and .A (not .B)}}yes{{end}}', { A: 1, B: 0 }), 'yes');
  throwsTemplate('{{lt 1 "a"}}', {}, /error calling lt: incompatible types for comparison$/);
  throwsTemplate('{{eq .L 1}}', { L: [1] }, /error calling eq: non-comparable type$/);
});

test('string, number, bool and char literals', () => {
  assert.equal(render('{{"a\\tb"}}', {}), 'a\tb');
  assert.equal(render('{{"\\u00e9\\x41"}}', {}), 'éA');
  assert.equal(render('{{`raw \\n`}}', {}), 'raw \\n');
  assert.equal(render('{{"}}"}}', {}), '}}');
  assert.equal(
    render('{{3}} {{-4}} {{1.5}} {{0x1F}} {{1_000}} {{1e3}}', {}),
    '3 -4 1.5 31 1000 1000',
  );
  assert.equal(render("{{'a'}}", {}), '97');
  assert.equal(render('{{true}} {{false}}', {}), 'true false');
});

test('whitespace trimming markers', () => {
  assert.equal(render('a  {{- .X -}}  b', { X: 'X' }), 'aXb');
  assert.equal(render('a  {{- .X}}  b', { X: 'X' }), 'aX  b');
  assert.equal(render('a  {{.X -}}\n\t b', { X: 'X' }), 'a  Xb');
  assert.equal(render('{{range .}}\n  {{- .}}\n{{- end}}', ['x', 'y']), 'xy');
  assert.equal(render('{{-3}}', {}), '-3');
});

test('comments', () => {
  assert.equal(render('a{{/* a comment */}}b', {}), 'ab');
  assert.equal(render('a {{- /* multi\nline */ -}} b', {}), 'ab');
  throwsTemplate('{{/* open', {}, 'template: :1: unclosed comment');
});

test('parenthesized pipelines and chained fields', () => {
  const data = { L: [{ Name: 'first' }], M: { k: { V: 'deep' } } };
  assert.equal(render('{{(index .L 0).Name}}', data), 'first');
  assert.equal(render('{{(index .M "k").V}}', data), 'deep');
  assert.equal(render('{{$m := index .M "k"}}{{$m.V}}', data), 'deep');
  assert.equal(render('{{upper (printf "%s-%s" "a" (lower "B"))}}', data), 'A-B');
});

test('parse errors read like Go', () => {
  throwsTemplate('{{foo .X}}', {}, 'template: :1: function "foo" not defined');
  throwsTemplate('{{if .X}}open', {}, 'template: :1: unexpected EOF');
  throwsTemplate('{{range .X}}', {}, 'template: :1: unexpected EOF');
  throwsTemplate('{{.X', {}, 'template: :1: unclosed action');
  throwsTemplate('{{end}}', {}, 'template: :1: unexpected {{end}}');
  throwsTemplate('{{else}}', {}, 'template: :1: unexpected {{else}}');
  throwsTemplate('line1\nline2 {{nope}}', {}, 'template: :2: function "nope" not defined');
  throwsTemplate('{{}}', {}, 'template: :1: missing value for command');
  throwsTemplate('{{if}}{{end}}', {}, 'template: :1: missing value for if');
  throwsTemplate('{{"abc}}', {}, 'template: :1: unterminated quoted string');
  throwsTemplate('{{(.X}}', {}, 'template: :1: unclosed left paren');
  throwsTemplate('{{.X)}}', {}, 'template: :1: unexpected right paren');
  throwsTemplate('{{3x}}', {}, 'template: :1: bad number syntax: "3x"');
  throwsTemplate('{{$x}}', {}, 'template: :1: undefined variable "$x"');
  throwsTemplate('{{break}}', {}, 'template: :1: {{break}} outside {{range}}');
  throwsTemplate('{{.X | "a"}}', {}, 'template: :1: non executable command in pipeline stage 2');
  throwsTemplate('{{template "x"}}', {}, 'template: :1: {{template}} is not supported');
  throwsTemplate('{{.X # }}', {}, "template: :1: unrecognized character in action: U+0023 '#'");
});

test('execution errors name the position and the command', () => {
  throwsTemplate(
    '{{upper}}',
    {},
    'template: :1:2: executing "" at <upper>: wrong number of args for upper: want 1 got 0',
  );
  // Go's parser places a field chain at its second field (docker: `:1:8:` for .Names.Foo).
  throwsTemplate(
    'x\n {{.Name.Foo}}',
    { Name: 's' },
    'template: :2:8: executing "" at <.Name.Foo>: can\'t evaluate field Foo in type string',
  );
  throwsTemplate('{{.Name 1}}', { Name: 's' }, /Name is not a method but has arguments$/);
  throwsTemplate('{{1 2}}', {}, /can't give argument to non-function 1$/);
  const failing = {
    Size(): never {
      throw new Error('boom');
    },
  };
  throwsTemplate(
    '{{.Size}}',
    failing,
    'template: :1:2: executing "" at <.Size>: error calling Size: boom',
  );
});

test('compileTemplate parses once and renders many rows', () => {
  const row = compileTemplate('{{.ID}}\t{{.Name}}');
  assert.equal(row({ ID: 'a1', Name: 'one' }), 'a1\tone');
  assert.equal(row({ ID: 'b2', Name: 'two' }), 'b2\ttwo');
  assert.throws(() => compileTemplate('{{bad}}'), TemplateError);
});

test('isTableFormat recognises the table prefix and \\t escapes', () => {
  assert.deepEqual(isTableFormat('table {{.ID}}\\t{{.Name}}'), {
    table: true,
    body: '{{.ID}}\t{{.Name}}',
  });
  assert.deepEqual(isTableFormat('{{.ID}}\\n'), { table: false, body: '{{.ID}}\n' });
  assert.deepEqual(isTableFormat('  {{json .}} '), { table: false, body: '{{json .}}' });
  assert.deepEqual(isTableFormat('table'), { table: true, body: '' });
});
