import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

import { hasErrno, writeFileAtomic } from '../core/index.js';

/**
 * Registry credentials in docker's config.json (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`): `auths[server].auth` = base64 of `user:password`, the entry
 * docker's file store writes, so `moor login` and `docker login` share their logins.
 */
export interface Credentials {
  username: string;
  password: string;
  serveraddress: string;
}

const DOCKER_HUB = 'https://index.docker.io/v1/';

function configPath(): string {
  const dir = process.env['DOCKER_CONFIG'] || join(homedir(), '.docker');
  return join(dir, 'config.json');
}

/** The key docker uses for a registry: the Hub's legacy URL, else host[:port]. */
export function credentialKey(domain: string): string {
  return domain === 'docker.io' || domain === '' ? DOCKER_HUB : domain;
}

async function readConfig(): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(configPath(), 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return {};
    throw err;
  }
}

type Auths = Record<string, { auth?: string }>;

export async function loadCredentials(domain: string): Promise<Credentials | undefined> {
  const key = credentialKey(domain);
  const auth = ((await readConfig())['auths'] as Auths | undefined)?.[key]?.auth;
  if (!auth) return undefined;
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon === -1) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1), serveraddress: key };
}

/** Saves a login; returns the file it is in. */
export async function saveCredentials(credentials: Credentials): Promise<string> {
  const config = await readConfig();
  const auths = (config['auths'] as Auths | undefined) ?? {};
  auths[credentials.serveraddress] = {
    auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64'),
  };
  config['auths'] = auths;
  await mkdir(dirname(configPath()), { recursive: true, mode: 0o700 });
  await writeFileAtomic(configPath(), JSON.stringify(config, null, '\t'), 0o600);
  return configPath();
}

/** Forgets a login; false when there was none. */
export async function removeCredentials(key: string): Promise<boolean> {
  const config = await readConfig();
  const auths = config['auths'] as Auths | undefined;
  if (!auths?.[key]) return false;
  delete auths[key];
  await writeFileAtomic(configPath(), JSON.stringify(config, null, '\t'), 0o600);
  return true;
}

/** The X-Registry-Auth header for a registry: its saved login, or none. */
export async function registryAuthHeader(domain: string): Promise<Record<string, string>> {
  const credentials = await loadCredentials(domain);
  if (!credentials) return {};
  return { 'X-Registry-Auth': Buffer.from(JSON.stringify(credentials)).toString('base64url') };
}
