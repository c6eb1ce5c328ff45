import type { IDResponse } from '../../api-types/index.js';
import type { CommitOptions } from '../../containers/index.js';
import { invalidArgument } from '../../core/index.js';
import {
  type ContainerConfig,
  formatReference,
  parseReference,
  withDefaultTag,
  withTag,
} from '../../oci/index.js';
import { queryBool, readJsonBody } from '../request.js';
import type { Route } from '../router.js';

/** What `POST /commit` needs from the daemon. */
export interface CommitBackend {
  /** Commits the container; resolves with the new image's id. */
  commit(container: string, options: CommitOptions): Promise<string>;
}

/**
 * `POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=...` with an optional
 * container config as body: 201 `{"Id": "sha256:..."}`.
 */
export function commitRoutes(backend: CommitBackend): Route[] {
  return [
    {
      method: 'POST',
      path: '/commit',
      handler: async (ctx) => {
        const q = ctx.query;
        const config = commitBodyConfig(await readJsonBody(ctx.req));
        const reference = repoTagReference(q.get('repo') ?? '', q.get('tag') ?? '');
        const container = q.get('container') ?? '';
        if (container === '') throw invalidArgument('invalid name or ID supplied: ""');
        const id = await backend.commit(container, {
          pause: queryBool(q, 'pause', true),
          author: q.get('author') ?? '',
          comment: q.get('comment') ?? '',
          changes: q.getAll('changes').filter((c) => c !== ''),
          ...(config ? { config } : {}),
          ...(reference ? { reference } : {}),
          signal: ctx.signal,
        });
        const body: IDResponse = { Id: id };
        return { status: 201, body };
      },
    },
  ];
}

/**
 * dockerd's reference of `repo` and `tag`: none without a repo (a tag alone is ignored), the
 * tag replacing one in `repo`, `latest` when neither has one; a digest is refused. Returns
 * the full form (`docker.io/library/repo:tag`).
 */
export function repoTagReference(repo: string, tag: string): string | undefined {
  if (repo === '') return undefined;
  const ref = parseReference(repo);
  if (ref.digest !== undefined) throw invalidArgument('cannot import digest reference');
  return formatReference(tag === '' ? withDefaultTag(ref) : withTag(ref, tag));
}

type FieldKind = 'string' | 'bool' | 'number' | 'list' | 'command' | 'set' | 'labels' | 'object';

/** The fields of a container config (as dockerd decodes them: names in any case). */
const CONFIG_FIELDS: Record<string, FieldKind> = {
  Hostname: 'string',
  Domainname: 'string',
  User: 'string',
  AttachStdin: 'bool',
  AttachStdout: 'bool',
  AttachStderr: 'bool',
  ExposedPorts: 'set',
  Tty: 'bool',
  OpenStdin: 'bool',
  StdinOnce: 'bool',
  Env: 'list',
  Cmd: 'command',
  Healthcheck: 'object',
  ArgsEscaped: 'bool',
  Image: 'string',
  Volumes: 'set',
  WorkingDir: 'string',
  Entrypoint: 'command',
  NetworkDisabled: 'bool',
  MacAddress: 'string',
  OnBuild: 'list',
  Labels: 'labels',
  StopSignal: 'string',
  StopTimeout: 'number',
  Shell: 'list',
};

const FIELD_BY_LOWER = new Map(Object.keys(CONFIG_FIELDS).map((k) => [k.toLowerCase(), k]));

/**
 * The config a commit body gives: undefined for no body, `null`, or a body without any config
 * field (`{}`, `{"HostConfig": ...}`) — the container's config is used then, as dockerd does.
 * A field of the wrong type is a 400; Cmd and Entrypoint may be a single string.
 */
export function commitBodyConfig(body: unknown): ContainerConfig | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw invalidArgument(
      `invalid JSON: cannot unmarshal ${jsonType(body)} into a container config`,
    );
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const field = FIELD_BY_LOWER.get(key.toLowerCase());
    if (field === undefined) continue;
    config[field] = fieldValue(field, CONFIG_FIELDS[field] ?? 'object', value);
  }
  return Object.keys(config).length === 0 ? undefined : config;
}

function fieldValue(field: string, kind: FieldKind, value: unknown): unknown {
  if (value === null)
    return kind === 'string' || kind === 'bool' || kind === 'number' ? undefined : null;
  const fits =
    kind === 'string'
      ? typeof value === 'string'
      : kind === 'bool'
        ? typeof value === 'boolean'
        : kind === 'number'
          ? typeof value === 'number'
          : kind === 'list'
            ? isStringList(value)
            : kind === 'command'
              ? typeof value === 'string' || isStringList(value)
              : isPlainObject(value) &&
                (kind !== 'labels' || Object.values(value).every((v) => typeof v === 'string'));
  if (!fits) {
    throw invalidArgument(
      `invalid JSON: cannot unmarshal ${jsonType(value)} into config field ${field}`,
    );
  }
  return kind === 'command' && typeof value === 'string' ? [value] : value;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}
