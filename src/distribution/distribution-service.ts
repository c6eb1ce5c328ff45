import type { JsonMessage } from '../api-types/index.js';
import {
  contains,
  internal,
  invalidArgument,
  isMoorError,
  notFound,
  parseCidr,
  parseIpv4,
  unauthorized,
  unavailable,
} from '../core/index.js';
import type { PublishEvent } from '../events/index.js';
import type { Images } from '../images/index.js';
import {
  type Digest,
  currentPlatform,
  familiarName,
  familiarString,
  formatReference,
  parsePlatform,
  parseReference,
  repositoryName,
  withDefaultTag,
  withTag,
} from '../oci/index.js';
import { listTags, pullImage } from './image-pull.js';
import { pushImage } from './image-push.js';
import { type RegistryAuth, type RegistryClient, createRegistryClient } from './registry-client.js';

export interface DistributionService {
  /** `POST /images/create?fromImage=&tag=`: see pullImage. */
  pull(
    image: string,
    tag: string,
    options: {
      auth?: RegistryAuth | undefined;
      platform?: string | undefined;
      signal?: AbortSignal | undefined;
      onMessage: (message: JsonMessage) => void;
    },
  ): Promise<void>;
  /**
   * `POST /auth` (docker login): checks the credentials against the registry (its token
   * endpoint or basic auth); nothing is kept. Throws Unauthorized when they are refused.
   */
  login(auth: RegistryAuth & { serveraddress?: string }, signal?: AbortSignal): Promise<void>;
  /** `POST /images/{name}/push?tag=`: one tag, or every tag of the repository. */
  push(
    name: string,
    tag: string,
    options: {
      auth?: RegistryAuth | undefined;
      signal?: AbortSignal | undefined;
      onMessage: (message: JsonMessage) => void;
    },
  ): Promise<void>;
}

/**
 * Registries as Docker treats them: HTTPS, except that a registry listed in
 * `insecure-registries` (a host[:port], or a CIDR its address is in; loopback always is)
 * may answer over plain HTTP.
 */
export function isInsecureRegistry(domain: string, insecure: readonly string[]): boolean {
  const host = domain.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  if (insecure.includes(domain) || insecure.includes(host)) return true;
  const ip = parseIpv4(host);
  if (ip === undefined) return false;
  return insecure.some(
    (entry) => entry.includes('/') && !entry.includes(':') && contains(parseCidr(entry), ip),
  );
}

/** A login's server address as a registry domain (`https://host:5000/v2/` → `host:5000`). */
export function registryDomain(address: string): string {
  const trimmed = address.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (trimmed === '' || trimmed === 'index.docker.io' || trimmed === 'registry-1.docker.io') {
    return 'docker.io';
  }
  return trimmed;
}

/**
 * Docker Hub pulls try the `registry-mirrors` first, in order: a mirror that fails (down, or
 * without the image) is passed over, and the Hub is the last resort.
 */
async function pullThroughMirrors(
  domain: string,
  mirrors: readonly string[],
  pull: {
    auth?: RegistryAuth | undefined;
    signal?: AbortSignal | undefined;
    certsDir?: string | undefined;
  },
  pullFrom: (client: RegistryClient) => Promise<unknown>,
  fallback: () => Promise<unknown>,
): Promise<void> {
  if (domain === 'docker.io') {
    for (const mirror of mirrors) {
      const url = new URL(mirror);
      const client = createRegistryClient({
        domain: url.host,
        insecure: url.protocol === 'http:',
        scheme: url.protocol === 'http:' ? 'http' : 'https',
        auth: pull.auth,
        signal: pull.signal,
        certsDir: pull.certsDir,
      });
      try {
        await pullFrom(client);
        return;
      } catch (err) {
        if (pull.signal?.aborted) throw err;
      }
    }
  }
  await fallback();
}

export function createDistributionService(options: {
  images: Images;
  insecureRegistries: readonly string[];
  /** Docker Hub mirrors (`registry-mirrors`), tried before the Hub. */
  registryMirrors?: readonly string[];
  /** Docker's `certs.d`: CAs and client certificates per registry (`<dir>/<host[:port]>/`). */
  certsDir?: string | undefined;
  publish?: PublishEvent | undefined;
}): DistributionService {
  /** Repositories (`domain/path`) known to hold a blob, for cross-repository mounts. */
  const holders = new Map<Digest, Set<string>>();
  const clientFor = (domain: string, auth: RegistryAuth | undefined, signal?: AbortSignal) =>
    createRegistryClient({
      domain,
      insecure: isInsecureRegistry(domain, options.insecureRegistries),
      auth,
      signal,
      certsDir: options.certsDir,
    });
  return {
    async login(auth, signal) {
      const domain = registryDomain(auth.serveraddress ?? '');
      const client = clientFor(domain, auth, signal);
      const res = await client.fetch('/v2/', {}, '');
      res.discard();
      if (res.status === 401 || res.status === 403) {
        throw unauthorized('login attempt failed: unauthorized: incorrect username or password');
      }
      if (!res.ok)
        throw unavailable(
          `login attempt to ${domain} failed with status: ${res.status} ${res.statusText}`,
        );
    },
    async push(name, tag, push) {
      const base = parseReference(name);
      if (base.digest) throw invalidArgument('cannot push a digest reference');
      const repo = repositoryName(base);
      const tags = tag
        ? [withTag(base, tag)]
        : options.images.refs
            .entries()
            .map(([ref]) => parseReference(ref))
            .filter((r) => !r.digest && r.tag && repositoryName(r) === repo);
      if (tags.length === 0)
        throw notFound(`An image does not exist locally with the tag: ${familiarName(base)}`);
      push.onMessage({ status: `The push refers to repository [${repo}]` });
      const client = clientFor(base.domain, push.auth, push.signal);
      for (const ref of tags) {
        const id = options.images.refs.get(formatReference(ref));
        const image = id ? options.images.images.get(id) : undefined;
        if (!image) {
          throw notFound(`An image does not exist locally with the tag: ${familiarString(ref)}`);
        }
        const pushed = await pushImage(
          options.images,
          image,
          { ...ref, tag: ref.tag as string },
          {
            client,
            tmpDir: options.images.tmpDir,
            knownRepos: (digest) =>
              [...(holders.get(digest) ?? [])]
                .filter((r) => r.startsWith(`${base.domain}/`))
                .map((r) => r.slice(base.domain.length + 1)),
            remember: (digest, path) => {
              const set = holders.get(digest) ?? new Set<string>();
              set.add(`${base.domain}/${path}`);
              holders.set(digest, set);
            },
            onMessage: push.onMessage,
            signal: push.signal,
          },
        );
        await options.images.refs.set(`${repo}@${pushed.digest}`, image.id);
        const shown = familiarString(ref);
        options.publish?.({
          type: 'image',
          action: 'push',
          actor: { id: shown, attributes: { name: shown } },
        });
      }
    },
    async pull(image, tag, pull) {
      try {
        await pullImages(image, tag, pull);
      } catch (err) {
        // dockerd answers a registry's refusal with a 500, not a 401 (on which the docker CLI
        // would ask for a username and try again).
        throw isMoorError(err, 'Unauthorized') ? internal(err.message, err) : err;
      }
    },
  };

  async function pullImages(...[image, tag, pull]: Parameters<DistributionService['pull']>) {
    const parsed = parseReference(
      tag === '' ? image : tag.startsWith('sha256:') ? `${image}@${tag}` : `${image}:${tag}`,
    );
    const client = clientFor(parsed.domain, pull.auth, pull.signal);
    const platform = pull.platform ? parsePlatform(pull.platform) : currentPlatform();
    // No tag at all (`docker pull -a`): every tag of the repository.
    const refs =
      parsed.digest || parsed.tag
        ? [parsed]
        : tag === ''
          ? (await listTags(client, parsed.path)).map((t) => withTag(parsed, t))
          : [withDefaultTag(parsed)];
    for (const ref of refs) {
      const pullFrom = (from: RegistryClient) =>
        pullImage(options.images, ref, {
          client: from,
          tmpDir: options.images.tmpDir,
          platform,
          onMessage: pull.onMessage,
          signal: pull.signal,
        });
      await pullThroughMirrors(
        ref.domain,
        options.registryMirrors ?? [],
        { ...pull, certsDir: options.certsDir },
        pullFrom,
        () => pullFrom(client),
      );
      const name = familiarString(ref);
      options.publish?.({
        type: 'image',
        action: 'pull',
        actor: { id: name, attributes: { name } },
      });
    }
  }
}
