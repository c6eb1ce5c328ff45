import type { JsonMessage } from '../api-types/index.js';
import { contains, parseCidr, parseIpv4 } from '../core/index.js';
import type { PublishEvent } from '../events/index.js';
import type { ImageContext } from '../images/index.js';
import {
  currentPlatform,
  familiarString,
  parsePlatform,
  parseReference,
  withDefaultTag,
} from '../oci/index.js';
import { pullImage } from './image-pull.js';
import { type RegistryAuth, createRegistryClient } from './registry-client.js';

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

export function createDistributionService(options: {
  images: ImageContext;
  insecureRegistries: readonly string[];
  publish?: PublishEvent | undefined;
}): DistributionService {
  return {
    async pull(image, tag, pull) {
      const parsed = parseReference(
        tag === '' ? image : tag.startsWith('sha256:') ? `${image}@${tag}` : `${image}:${tag}`,
      );
      const ref = parsed.digest ? parsed : withDefaultTag(parsed);
      const client = createRegistryClient({
        domain: ref.domain,
        insecure: isInsecureRegistry(ref.domain, options.insecureRegistries),
        auth: pull.auth,
        signal: pull.signal,
      });
      const platform = pull.platform ? parsePlatform(pull.platform) : currentPlatform();
      const result = await pullImage(options.images, ref, {
        client,
        platform,
        onMessage: pull.onMessage,
        signal: pull.signal,
      });
      const name = familiarString(ref);
      options.publish?.({
        type: 'image',
        action: 'pull',
        actor: { id: name, attributes: { name } },
      });
      void result;
    },
  };
}
