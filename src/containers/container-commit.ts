import { notFound } from '../core/index.js';
import { releaseLayers } from '../images/index.js';
import {
  CONFIG_OMITTED_WHEN_EMPTY,
  type ContainerConfig,
  type Digest,
  type HistoryEntry,
  type ImageConfig,
  applyChanges,
  familiarString,
  nowRfc3339Nano,
  parseReference,
} from '../oci/index.js';
import type { ContainerContext } from './container-context.js';
import { publishContainerEvent } from './container-event.js';
import { type PinnedLayer, registerLeaseLayer } from './container-layer.js';
import type { ContainerRecord } from './container-record.js';
import { canCommit } from './container-state.js';
import { type RootfsLease, withRootfs } from './rootfs-lease.js';

export interface CommitOptions {
  /** Freeze a running container while its changes are read (`docker commit`'s default). */
  pause: boolean;
  author?: string;
  /** The commit message: the new history entry's comment. */
  comment?: string;
  /** Dockerfile instructions applied to the config (`CMD ["sh"]`, `ENV A=1`), as `--change`. */
  changes?: string[];
  /**
   * The config to start from, before `changes`: `POST /commit`'s body when it sets anything,
   * or a builder's run config. Undefined: the container's config (what the docker CLI gets).
   */
  config?: ContainerConfig;
  /**
   * true (the default): dockerd's merge — what the config (after `changes`) leaves unset comes
   * from the container's config (see mergeContainerConfig). false: the config after `changes`
   * is the image's config exactly, as dockerd's builder records its steps.
   */
  mergeContainerConfig?: boolean;
  /** The image's `container_config` (a builder's cache key); default the container's config. */
  containerConfig?: ContainerConfig;
  /**
   * The new history entry's `created_by` (a builder's `/bin/sh -c #(nop) COPY ...`); default
   * the `Cmd` of `containerConfig` joined by spaces, as dockerd records it.
   */
  createdBy?: string;
  /** A full, normalised reference (`docker.io/library/repo:tag`) to tag the new image with. */
  reference?: string;
  /**
   * false: no container `commit` event (a builder's step: dockerd's builder publishes none).
   * The `pause`/`unpause` and image `tag` events follow `pause` and `reference`.
   */
  publishEvent?: boolean;
  signal?: AbortSignal;
}

/**
 * `docker commit`: the container's changes become a layer (none when nothing changed, as
 * dockerd records it: an `empty_layer` history entry) on its image, recorded as a new image
 * whose parent is the container's image, optionally tagged. Returns the image id.
 *
 * As dockerd: a running container is paused meanwhile unless `pause` is false (events `pause`
 * and, once the image is stored, `unpause`; the user's pause stays); the image is tagged (event
 * image `tag`), then the container's `commit` event names the image. The container's lock is
 * held throughout. Throws NotFound for a container that is gone, Conflict for one that is
 * being removed or dead, InvalidArgument for a bad change instruction.
 */
export async function commitContainer(
  ctx: ContainerContext,
  id: string,
  options: CommitOptions,
): Promise<Digest> {
  let frozen: ContainerRecord | undefined;
  try {
    const lease = { view: 'none', freeze: options.pause } as const;
    return await withRootfs(ctx, id, lease, async (held) => {
      canCommit(held.record);
      if (held.frozen) {
        frozen = held.record;
        publishContainerEvent(ctx, held.record, 'pause');
      }
      return await commitLeased(ctx, held, options);
    });
  } finally {
    if (frozen) publishContainerEvent(ctx, frozen, 'unpause');
  }
}

async function commitLeased(
  ctx: ContainerContext,
  lease: RootfsLease,
  options: CommitOptions,
): Promise<Digest> {
  const { record } = lease;
  const parent = ctx.images.images.get(record.imageId);
  if (!parent) throw notFound(`No such image: ${record.imageId}`);
  const container = record.config as ContainerConfig;
  const config = commitConfig(container, options);
  const pinned = await registerLeaseLayer(ctx, lease, parent.topLayer, options.signal);
  try {
    const containerConfig = options.containerConfig ?? withoutEmptyOptional(container);
    const image = commitImageConfig({
      parent: parent.config,
      config,
      containerId: record.id,
      containerConfig,
      author: options.author ?? '',
      comment: options.comment ?? '',
      createdBy: options.createdBy ?? (containerConfig.Cmd ?? []).join(' '),
      diffId: pinned?.layer.diffId,
      created: nowRfc3339Nano(),
    });
    const stored = await ctx.images.images.add(Buffer.from(JSON.stringify(image)), {
      parent: parent.id,
    });
    const imageRef = options.reference ? await tag(ctx, stored.id, options.reference) : '';
    if (options.publishEvent !== false) {
      publishContainerEvent(ctx, record, 'commit', {
        comment: options.comment ?? '',
        imageID: stored.id,
        imageRef,
      });
    }
    return stored.id;
  } catch (err) {
    await release(ctx, pinned);
    throw err;
  } finally {
    pinned?.unpin();
  }
}

/** Tags the image (an image `tag` event, as dockerd's); returns the familiar reference. */
async function tag(ctx: ContainerContext, id: Digest, reference: string): Promise<string> {
  await ctx.images.refs.set(reference, id);
  await ctx.images.images.setLastTagTime(id, new Date());
  const name = familiarString(parseReference(reference));
  const labels = ctx.images.images.get(id)?.config.config?.Labels ?? {};
  ctx.publish?.({ type: 'image', action: 'tag', actor: { id, attributes: { ...labels, name } } });
  return name;
}

/** Removes the layer of a commit that failed before an image took it (if nothing else has). */
async function release(ctx: ContainerContext, pinned: PinnedLayer | undefined): Promise<void> {
  if (!pinned) return;
  pinned.unpin();
  await releaseLayers(ctx.images, [pinned.layer.chainId]);
}

/**
 * The committed image's config, as dockerd makes it: `options.config` (or the container's
 * config) with `options.changes` applied, then merged with the container's config and without
 * empty `omitempty` fields. With `mergeContainerConfig: false`, the config after the changes
 * as it is. Neither input is modified.
 */
export function commitConfig(
  container: ContainerConfig,
  options: Pick<CommitOptions, 'config' | 'changes' | 'mergeContainerConfig'>,
): ContainerConfig {
  const changed = applyChanges(structuredClone(options.config ?? container), options.changes ?? []);
  if (options.mergeContainerConfig === false) return changed;
  return withoutEmptyOptional(mergeContainerConfig(changed, container));
}

/** A config without its empty `omitempty` fields (`"ExposedPorts": null`...), as dockerd writes it. */
export function withoutEmptyOptional(config: ContainerConfig): ContainerConfig {
  const out = { ...config };
  for (const key of CONFIG_OMITTED_WHEN_EMPTY) {
    const value = out[key];
    const empty =
      value === null ||
      value === undefined ||
      value === false ||
      value === '' ||
      value === 0 ||
      (key !== 'Healthcheck' && typeof value === 'object' && Object.keys(value).length === 0);
    if (empty) delete out[key];
  }
  return out;
}

const isEmpty = (value: readonly unknown[] | object | null | undefined): boolean =>
  value === null || value === undefined || Object.keys(value).length === 0;

/**
 * dockerd's merge of a commit's config with the container's: an unset User, WorkingDir or
 * StopSignal, an empty Env, ExposedPorts or Volumes are the container's; set ones gain the
 * container's entries they lack (an Env variable by its name; Volumes gain all). Labels gain
 * the container's labels they lack (and are always a map). With no Entrypoint, an empty Cmd
 * is the container's Cmd (and ArgsEscaped), and an absent (null) Entrypoint the container's;
 * an Entrypoint keeps the config's Cmd, empty or not. A Healthcheck takes what it lacks from
 * the container's. Returns a new config.
 */
export function mergeContainerConfig(
  config: ContainerConfig,
  container: ContainerConfig,
): ContainerConfig {
  const out = structuredClone(config);
  const from = structuredClone(container);
  if (!out.User && from.User !== undefined) out.User = from.User;
  if (isEmpty(out.ExposedPorts)) {
    if (from.ExposedPorts !== undefined) out.ExposedPorts = from.ExposedPorts;
  } else {
    out.ExposedPorts = { ...from.ExposedPorts, ...out.ExposedPorts };
  }
  if (isEmpty(out.Env)) {
    if (from.Env !== undefined) out.Env = from.Env;
  } else {
    const names = new Set((out.Env ?? []).map(envName));
    out.Env = [...(out.Env ?? []), ...(from.Env ?? []).filter((e) => !names.has(envName(e)))];
  }
  out.Labels = { ...from.Labels, ...out.Labels };
  if (isEmpty(out.Entrypoint)) {
    if (isEmpty(out.Cmd)) {
      if (from.Cmd !== undefined) out.Cmd = from.Cmd;
      if (from.ArgsEscaped === undefined) delete out.ArgsEscaped;
      else out.ArgsEscaped = from.ArgsEscaped;
    }
    if (out.Entrypoint === undefined || out.Entrypoint === null) {
      if (from.Entrypoint !== undefined) out.Entrypoint = from.Entrypoint;
    }
  }
  if (from.Healthcheck) {
    if (!out.Healthcheck) out.Healthcheck = from.Healthcheck;
    else {
      const health = out.Healthcheck;
      if (isEmpty(health.Test) && from.Healthcheck.Test) health.Test = from.Healthcheck.Test;
      for (const key of ['Interval', 'Timeout', 'StartPeriod', 'Retries'] as const) {
        const value = from.Healthcheck[key];
        if (!health[key] && value !== undefined) health[key] = value;
      }
    }
  }
  if (!out.WorkingDir && from.WorkingDir !== undefined) out.WorkingDir = from.WorkingDir;
  if (isEmpty(out.Volumes)) {
    if (from.Volumes !== undefined) out.Volumes = from.Volumes;
  } else {
    out.Volumes = { ...out.Volumes, ...from.Volumes };
  }
  if (!out.StopSignal && from.StopSignal !== undefined) out.StopSignal = from.StopSignal;
  return out;
}

function envName(entry: string): string {
  const at = entry.indexOf('=');
  return at === -1 ? entry : entry.slice(0, at);
}

export interface CommitImageInput {
  parent: ImageConfig;
  config: ContainerConfig;
  containerId: string;
  containerConfig: ContainerConfig;
  author: string;
  comment: string;
  createdBy: string;
  /** The new layer; undefined when the commit has none. */
  diffId: Digest | undefined;
  /** RFC 3339 time of the image and its new history entry. */
  created: string;
}

/**
 * A committed image's config, as dockerd writes it: the parent's platform, layers and history,
 * plus the new layer and one history entry (author, comment, created_by; `empty_layer` without
 * a layer); the author also at the top, the message only in the history (inspect shows the
 * last entry's comment). Keys in dockerd's (sorted) order. A parent with layers but no history
 * gets none either: one entry would not match its layers.
 */
export function commitImageConfig(input: CommitImageInput): ImageConfig {
  const { parent, author, comment, createdBy, diffId, created } = input;
  const entry: HistoryEntry = {
    created,
    ...(author ? { author } : {}),
    ...(createdBy ? { created_by: createdBy } : {}),
    ...(comment ? { comment } : {}),
    ...(diffId ? {} : { empty_layer: true }),
  };
  const parentHistory = parent.history ?? [];
  const keepsHistory = parentHistory.length > 0 || parent.rootfs.diff_ids.length === 0;
  return {
    architecture: parent.architecture,
    ...(author ? { author } : {}),
    config: input.config,
    container: input.containerId,
    container_config: input.containerConfig,
    created,
    ...(keepsHistory ? { history: [...parentHistory, entry] } : {}),
    os: parent.os,
    ...(parent['os.features'] ? { 'os.features': parent['os.features'] } : {}),
    ...(parent['os.version'] ? { 'os.version': parent['os.version'] } : {}),
    rootfs: { type: 'layers', diff_ids: [...parent.rootfs.diff_ids, ...(diffId ? [diffId] : [])] },
    ...(parent.variant ? { variant: parent.variant } : {}),
  };
}
