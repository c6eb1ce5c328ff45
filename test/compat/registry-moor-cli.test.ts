import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { cleanupContainerDaemon, startDaemonWithBusybox } from '../helpers/containers.js';
import { MOOR, type TestDaemon } from '../helpers/moord.js';
import { type TestRegistry, startTestRegistry } from '../helpers/registry.js';
import { type RunResult, run } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;
const NAME = 'registry-cli';

/**
 * `moor pull`, `push`, `login` and `logout` print what docker prints, against one moord and
 * moor's registry on loopback; `moor login` writes the entry docker's config.json has.
 */
describe(
  'moor registry commands print what docker prints',
  { skip: !isRoot && 'needs root' },
  () => {
    let daemon: TestDaemon | undefined;
    let registry: TestRegistry | undefined;
    /** A second registry, so that each CLI pushes into an empty one (no mounts from the other's). */
    let second: TestRegistry | undefined;
    let dir = '';

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), `moor-${NAME}-`));
      daemon = await startDaemonWithBusybox(NAME);
      registry = await startTestRegistry(NAME);
      second = await startTestRegistry(`${NAME}-2`);
    });
    after(async () => {
      await cleanupContainerDaemon(daemon);
      await registry?.stop();
      await second?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    const cli = (which: 'docker' | 'moor', args: string[], input?: string): Promise<RunResult> =>
      run(which === 'docker' ? 'docker' : MOOR, args, {
        env: {
          DOCKER_HOST: daemon!.host,
          MOOR_HOST: '',
          DOCKER_CONFIG: join(dir, `config-${which}`),
        },
        ...(input === undefined ? {} : { input }),
      });
    /**
     * `@` in arguments: each CLI's own repository (`cli-docker`, `cli-moor`), `%` its own
     * registry (the second for moor); both turned back in the output.
     */
    const both = async (args: string[], input?: string) => {
      const side = async (which: 'docker' | 'moor') => {
        const repo = `cli-${which}`;
        const address = (which === 'docker' ? registry : second)!.address;
        const result = await cli(
          which,
          args.map((a) => a.replaceAll('@', repo).replaceAll('%', address)),
          input,
        );
        return {
          ...result,
          stdout: result.stdout.replaceAll(repo, '@').replaceAll(address, '%'),
        };
      };
      const docker = await side('docker');
      const moor = await side('moor');
      assert.equal(moor.code, docker.code, `${args.join(' ')}: ${moor.stderr}`);
      assert.equal(moor.stdout, docker.stdout, args.join(' '));
      return docker;
    };

    test('push and pull, login and logout', async () => {
      const ref = '%/@/busybox:v1';
      for (const [which, reg] of [
        ['docker', registry],
        ['moor', second],
      ] as const) {
        const target = ref.replace('@', `cli-${which}`).replace('%', reg!.address);
        assert.equal((await cli('docker', ['tag', 'busybox', target])).code, 0);
      }
      await both(['push', ref]);
      await both(['push', '-q', ref]);
      await both(['pull', ref]);
      await both(['pull', '-q', ref]);
      const missing = await both(['pull', '%/@/nosuch:v1']);
      assert.equal(missing.code, 1);
      await both(['login', '%', '-u', 'someone', '--password-stdin'], 'pw\n');
      const saved = (which: string) =>
        readFile(join(dir, `config-${which}`, 'config.json'), 'utf8').then(
          (text) => (JSON.parse(text) as { auths: Record<string, unknown> }).auths,
        );
      assert.deepEqual(Object.values(await saved('moor')), Object.values(await saved('docker')));
      await both(['logout', '%']);
      await both(['logout', '%']);
    });
  },
);
