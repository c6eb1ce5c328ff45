import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compileTemplate } from './go-template.js';
import { typedContainer } from './inspect-types.js';

const JSON_TEXT = {
  Id: 'abc',
  State: { Status: 'running', Running: true, Pid: 42, StartedAt: 't0', FinishedAt: 't1' },
  ExecIDs: null,
  HostConfig: {
    Binds: null,
    LogConfig: { Type: 'json-file', Config: { 'max-size': '20m', 'max-file': '5' } },
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    Sysctls: null,
  },
  GraphDriver: { Name: 'overlay2', Data: { MergedDir: '/m' } },
  Config: {
    Labels: { a: 'b' },
    Healthcheck: { Test: ['CMD', 'true'], Interval: 90_000_000_000 },
  },
};

function render(template: string): string {
  return compileTemplate(template)(typedContainer(JSON_TEXT));
}

test('null and missing fields print as the Go types do', () => {
  assert.equal(render('{{.HostConfig.Binds}}|{{.ExecIDs}}|{{.HostConfig.Sysctls}}'), '[]|[]|map[]');
  assert.equal(
    render('{{.State.Health}}|{{.SizeRw}}|{{.Config.StopTimeout}}'),
    '<nil>|<nil>|<nil>',
  );
  assert.equal(render('{{.Config.Labels.missing}}'), '<no value>');
  assert.equal(render('{{if .State.Health}}yes{{else}}no{{end}} {{len .ExecIDs}}'), 'no 0');
});

test('structs print as {a b}, durations as Go durations', () => {
  assert.equal(render('{{.HostConfig.RestartPolicy}}'), '{no 0}');
  assert.equal(render('{{.Config.Healthcheck.Interval}}'), '1m30s');
  assert.equal(render('{{.State}}'), '{running true false false false false 42 0  t0 t1 <nil>}');
});

test('json gives the daemon JSON back: nulls kept, map keys sorted, durations in nanoseconds', () => {
  assert.equal(render('{{json .HostConfig.Binds}}'), 'null');
  assert.equal(
    render('{{json .HostConfig.LogConfig}}'),
    '{"Type":"json-file","Config":{"max-file":"5","max-size":"20m"}}',
  );
  assert.equal(
    render('{{json .Config.Healthcheck}}'),
    '{"Test":["CMD","true"],"Interval":90000000000}',
  );
  assert.equal(render('{{json .State.Health}}'), 'null');
});

test('typed evaluation fails where docker falls back to the JSON (missingkey=error)', () => {
  assert.throws(() => render('{{.State.Health.Status}}'), /nil pointer evaluating/);
  assert.throws(() => render('{{.Foo}}'), /can't evaluate field Foo/);
  const raw = compileTemplate('{{.State.Health.Status}}', { missingKey: 'error' });
  assert.throws(() => raw(JSON_TEXT), {
    message:
      'template: :1:8: executing "" at <.State.Health.Status>: map has no entry for key "Health"',
  });
});
