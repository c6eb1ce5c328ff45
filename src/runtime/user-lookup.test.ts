import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseGroup, parsePasswd, resolveAdditionalGroups, resolveUser } from './user-lookup.js';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
# a comment
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
app:x:1000:1000:App,,,:/home/app:/bin/sh

nohome:x:1001:1001::
`;
const GROUP = `root:x:0:
wheel:x:10:root,app
www-data:x:33:
app:x:1000:
audio:x:29:app
staff:x:50:
`;

const resolve = (user: string, groupAdd: string[] = []) =>
  resolveUser({ passwd: PASSWD, group: GROUP, user, groupAdd });

test('parsePasswd and parseGroup read the fields and skip blanks and comments', () => {
  const users = parsePasswd(PASSWD);
  assert.equal(users.length, 5);
  assert.deepEqual(users[3], { name: 'app', uid: 1000, gid: 1000, home: '/home/app' });
  assert.deepEqual(parseGroup(GROUP)[1], { name: 'wheel', gid: 10, members: ['root', 'app'] });
});

test('empty user is root with its supplementary groups and home', () => {
  assert.deepEqual(resolve(''), { uid: 0, gid: 0, additionalGids: [0, 10], home: '/root' });
});

test('a name resolves uid, primary gid, supplementary groups and home', () => {
  assert.deepEqual(resolve('app'), {
    uid: 1000,
    gid: 1000,
    additionalGids: [1000, 10, 29],
    home: '/home/app',
  });
});

test('a numeric uid in passwd is that user; one not in passwd gets gid 0 and home /', () => {
  assert.deepEqual(resolve('1000').additionalGids, [1000, 10, 29]);
  assert.deepEqual(resolve('4242'), { uid: 4242, gid: 0, additionalGids: [0], home: '/' });
  assert.deepEqual(resolve('4242:4243'), {
    uid: 4242,
    gid: 4243,
    additionalGids: [4243],
    home: '/',
  });
});

test('an explicit group replaces the primary gid and drops supplementary groups', () => {
  assert.deepEqual(resolve('app:staff'), {
    uid: 1000,
    gid: 50,
    additionalGids: [50],
    home: '/home/app',
  });
  assert.equal(resolve('33:www-data').gid, 33);
  assert.equal(resolve('app:7777').gid, 7777);
});

test('unknown names fail with Docker words', () => {
  assert.throws(() => resolve('nobody'), {
    kind: 'InvalidArgument',
    message: 'unable to find user nobody: no matching entries in passwd file',
  });
  assert.throws(() => resolve('app:nogroup'), {
    message: 'unable to find group nogroup: no matching entries in group file',
  });
  assert.throws(() => resolve('-5'), { message: 'uids and gids must be in range 0-2147483647' });
});

test('absent passwd/group files: numeric ids work, names do not', () => {
  const none = { passwd: undefined, group: undefined };
  assert.deepEqual(resolveUser({ ...none, user: '' }), {
    uid: 0,
    gid: 0,
    additionalGids: [0],
    home: '/',
  });
  assert.equal(resolveUser({ ...none, user: '12:34' }).gid, 34);
  assert.throws(() => resolveUser({ ...none, user: 'app' }), /no matching entries in passwd/);
  assert.equal(resolveUser({ passwd: '', group: '', user: '5' }).uid, 5);
});

test('an empty home field falls back to /', () => {
  assert.equal(resolve('nohome').home, '/');
});

test('--group-add takes names and numbers, in order, without repeats', () => {
  assert.deepEqual(
    resolveAdditionalGroups(['staff', '29', '9999', 'staff'], GROUP),
    [50, 29, 9999],
  );
  assert.deepEqual(resolve('app', ['staff', '10']).additionalGids, [1000, 10, 29, 50]);
  assert.throws(() => resolve('app', ['nosuch']), {
    message: 'Unable to find group nosuch: no matching entries in group file',
  });
  assert.deepEqual(resolveAdditionalGroups(['7'], undefined), [7]);
});
