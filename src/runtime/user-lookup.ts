import { invalidArgument } from '../core/index.js';

/**
 * Docker's `-u` and `--group-add` resolved against a container's /etc/passwd and /etc/group
 * contents (pure: the caller reads the files from the rootfs, without following links out of
 * it). Semantics follow runc's user lookup, which Docker uses.
 */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** The process identity the runtime uses. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  /**
   * `process.user.additionalGids` as Docker sets it: the primary gid first, then the user's
   * supplementary groups (only when no group was named), then the `--group-add` groups.
   */
  additionalGids: number[];
  /** Home directory from passwd; `/` when the user has no entry. */
  home: string;
}

const MAX_ID = 2147483647;

function parseId(text: string | undefined): number {
  const n = Number.parseInt(text ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

function fieldsOf(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

/** Entries of an /etc/passwd file (`name:password:uid:gid:gecos:home:shell`). */
export function parsePasswd(text: string): PasswdEntry[] {
  return fieldsOf(text).map((f) => ({
    name: f[0] ?? '',
    uid: parseId(f[2]),
    gid: parseId(f[3]),
    home: f[5] ?? '',
  }));
}

/** Entries of an /etc/group file (`name:password:gid:member,member`). */
export function parseGroup(text: string): GroupEntry[] {
  return fieldsOf(text).map((f) => ({
    name: f[0] ?? '',
    gid: parseId(f[2]),
    members: (f[3] ?? '').split(',').filter((m) => m !== ''),
  }));
}

/** A decimal id, or undefined when `text` is not one (as Go's Atoi decides). */
function numericId(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  if (n < 0 || n > MAX_ID) throw invalidArgument('uids and gids must be in range 0-2147483647');
  return n;
}

export interface UserLookup {
  /** /etc/passwd contents; undefined or '' when the file is absent (numeric users still work). */
  passwd: string | undefined;
  /** /etc/group contents; undefined or '' when absent. */
  group: string | undefined;
  /** `name`, `uid`, `name:group`, `uid:gid`, `uid:groupname`; '' means root. */
  user: string;
  /** `--group-add` entries: names or numbers. */
  groupAdd?: readonly string[];
}

interface ExecUser {
  uid: number;
  gid: number;
  home: string;
  supplementary: number[];
}

function lookupUser(userArg: string, users: PasswdEntry[]): { user: ExecUser; matched?: string } {
  const uid = numericId(userArg);
  const entry = users.find((u) =>
    userArg === '' ? u.uid === 0 : uid !== undefined ? u.uid === uid : u.name === userArg,
  );
  if (entry) {
    const user = { uid: entry.uid, gid: entry.gid, home: entry.home, supplementary: [] };
    return { user, matched: entry.name };
  }
  const base = { uid: 0, gid: 0, home: '/', supplementary: [] };
  if (userArg === '') return { user: base };
  if (uid === undefined) {
    throw invalidArgument(`unable to find user ${userArg}: no matching entries in passwd file`);
  }
  return { user: { ...base, uid } };
}

function applyGroup(
  user: ExecUser,
  groupArg: string,
  matched: string | undefined,
  groups: GroupEntry[],
): void {
  if (groupArg === '') {
    if (matched === undefined) return;
    user.supplementary = groups.filter((g) => g.members.includes(matched)).map((g) => g.gid);
    return;
  }
  const gid = numericId(groupArg);
  const entry = groups.find((g) => (gid !== undefined ? g.gid === gid : g.name === groupArg));
  if (entry) user.gid = entry.gid;
  else if (gid !== undefined) user.gid = gid;
  else {
    throw invalidArgument(`unable to find group ${groupArg}: no matching entries in group file`);
  }
}

/**
 * The gids of `--group-add` entries, in order and without repeats: a name or number found in
 * /etc/group, or any number. Throws Docker's
 * `Unable to find group NAME: no matching entries in group file`.
 */
export function resolveAdditionalGroups(
  entries: readonly string[],
  group: string | undefined,
): number[] {
  const groups = group === undefined ? [] : parseGroup(group);
  const gids: number[] = [];
  for (const entry of entries) {
    const found = groups.find((g) => g.name === entry || String(g.gid) === entry);
    const gid = found?.gid ?? numericId(entry);
    if (gid === undefined) {
      throw invalidArgument(`Unable to find group ${entry}: no matching entries in group file`);
    }
    if (!gids.includes(gid)) gids.push(gid);
  }
  return gids;
}

/**
 * Resolves Docker's `-u` value: a name must be in passwd, a number need not be (gid 0 then,
 * home `/`); a named group must be in /etc/group, a numeric one need not be. Errors carry
 * Docker's text: `unable to find user NAME: no matching entries in passwd file`.
 */
export function resolveUser(lookup: UserLookup): ResolvedUser {
  const [userArg = '', groupArg = ''] = lookup.user.trim().split(':');
  const users = parsePasswd(lookup.passwd ?? '');
  const groups = parseGroup(lookup.group ?? '');
  const { user, matched } = lookupUser(userArg, users);
  applyGroup(user, groupArg, matched, groups);
  const extra = resolveAdditionalGroups(lookup.groupAdd ?? [], lookup.group);
  const additionalGids = [...new Set([user.gid, ...user.supplementary, ...extra])];
  return { uid: user.uid, gid: user.gid, additionalGids, home: user.home || '/' };
}
