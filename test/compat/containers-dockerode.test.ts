import assert from 'node:assert/strict';
import { PassThrough, type Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';

import Docker from 'dockerode';

import { cleanupContainerDaemon, startDaemonWithBusybox } from '../helpers/containers.js';
import type { TestDaemon } from '../helpers/moord.js';

interface Modem {
  demuxStream(stream: NodeJS.ReadableStream, stdout: Writable, stderr: Writable): void;
}

/** dockerode types its modem as `any`; this is the one method the tests use. */
function demux(docker: Docker, stream: NodeJS.ReadableStream, out: Writable): void {
  (docker.modem as Modem).demuxStream(stream, out, out);
}

const isRoot = process.getuid?.() === 0;

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

/** dockerode (a real client library) drives run, attach, exec and logs against moord. */
describe('dockerode against moord containers', { skip: !isRoot && 'needs root' }, () => {
  let daemon: TestDaemon | undefined;
  let docker: Docker;
  before(async () => {
    daemon = await startDaemonWithBusybox('dockerode-ctr');
    docker = new Docker({ socketPath: daemon.socket });
  });
  after(async () => cleanupContainerDaemon(daemon));

  test('run collects output and the exit code', async () => {
    const out = collect();
    const [result, container] = (await docker.run(
      'busybox',
      ['sh', '-c', 'echo from-run; exit 5'],
      out.stream,
    )) as [{ StatusCode: number }, Docker.Container];
    assert.equal(result.StatusCode, 5);
    // dockerode's run asks for a TTY by default: the terminal turns \n into \r\n.
    assert.equal(out.text(), 'from-run\r\n');
    await container.remove();
  });

  test('attach with stdin, then logs', async () => {
    const container = await docker.createContainer({
      Image: 'busybox',
      Cmd: ['sh', '-c', 'read x; echo got:$x'],
      OpenStdin: true,
      StdinOnce: true,
    });
    const stream = await container.attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    });
    const out = collect();
    demux(docker, stream, out.stream);
    await container.start();
    stream.write('hello\n');
    await container.wait();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(out.text(), 'got:hello\n');
    const logs = await container.logs({ stdout: true, stderr: true });
    assert.match(logs.toString(), /got:hello/);
    await container.remove();
  });

  test('exec with output and exit code', async () => {
    const container = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'] });
    await container.start();
    const exec = await container.exec({
      Cmd: ['sh', '-c', 'echo in-exec; exit 4'],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = collect();
    demux(docker, stream, out.stream);
    await new Promise((resolve) => stream.on('end', resolve));
    const info = await exec.inspect();
    assert.equal(info.ExitCode, 4);
    assert.equal(out.text(), 'in-exec\n');
    await container.remove({ force: true });
  });
});
