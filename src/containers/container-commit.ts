import type { ContainerConfig as WireConfig } from '../api-types/index.js';
import { notFound } from '../core/index.js';
import { pinLayers } from '../images/index.js';
import { type ContainerConfig, type Digest, type ImageConfig, applyChanges } from '../oci/index.js';
import type { ContainerContext } from './container-context.js';
import { publishContainerEvent } from './container-event.js';
import { commitContainerLayer } from './container-layer.js';

export interface CommitOptions {
  /** Freeze a running container while its changes are read (Docker's default). */
  pause: boolean;
  author?: string;
  comment?: string;
  /** Dockerfile instructions applied to the config (`CMD ["sh"]`, `ENV A=1`). */
  changes?: string[];
  /** The request's config: what it sets wins over the container's. */
  config?: ContainerConfig;
  /** A normalised reference to tag the image with. */
  reference?: string;
}

/**
 * `docker commit`: the container's changes become a new layer (none when nothing changed, as
 * Docker records it) on its image, with the container's config — the request's config and
 * `--change` instructions first, what they leave unset taken from the container (dockerd's
 * merge) — and one more history entry with the author and comment. Returns the image id.
 */
export async function commitContainer(
  ctx: ContainerContext,
  id: string,
  options: CommitOptions,
): Promise<Digest> {
  const record = ctx.store.get(id);
  if (!record) throw notFound(`No such container: ${id}`);
  const parent = ctx.images.images.get(record.imageId);
  if (!parent) throw notFound(`No such image: ${record.imageId}`);
  const config = mergeConfig(
    applyChanges(options.config ?? {}, options.changes ?? []),
    record.config,
  );
  // The lease of the layer commit freezes a running container, as Docker's pause does.
  const layer = await commitContainerLayer(ctx, id, parent.topLayer);
  const unpin = layer ? pinLayers(ctx.images, [layer.chainId]) : () => undefined;
  try {
    const created = new Date().toISOString();
    const image: ImageConfig = {
      architecture: parent.config.architecture,
      ...(parent.config.variant ? { variant: parent.config.variant } : {}),
      os: parent.config.os,
      ...(options.author ? { author: options.author } : {}),
      ...(options.comment ? { comment: options.comment } : {}),
      created,
      config,
      container: id,
      container_config: record.config as ContainerConfig,
      rootfs: {
        type: 'layers',
        diff_ids: [...parent.config.rootfs.diff_ids, ...(layer ? [layer.diffId] : [])],
      },
      history: [
        ...(parent.config.history ?? []),
        {
          created,
          created_by: (record.config.Cmd ?? []).join(' '),
          ...(options.author ? { author: options.author } : {}),
          ...(options.comment ? { comment: options.comment } : {}),
          ...(layer ? {} : { empty_layer: true }),
        },
      ],
    };
    const stored = await ctx.images.images.add(Buffer.from(JSON.stringify(image)), {
      parent: parent.id,
    });
    if (options.reference) {
      await ctx.images.refs.set(options.reference, stored.id);
      await ctx.images.images.setLastTagTime(stored.id, new Date());
    }
    publishContainerEvent(ctx, record, 'commit', {
      comment: options.comment ?? '',
      imageID: stored.id,
      ...(options.reference ? { imageRef: options.reference } : {}),
    });
    return stored.id;
  } finally {
    unpin();
  }
}

/** dockerd's merge: what `user` leaves unset comes from the container's config. */
export function mergeConfig(user: ContainerConfig, container: WireConfig): ContainerConfig {
  const out: ContainerConfig = { ...user };
  if (!out.User) out.User = container.User ?? '';
  const ports = { ...(container.ExposedPorts ?? {}), ...(out.ExposedPorts ?? {}) };
  if (Object.keys(ports).length > 0) out.ExposedPorts = ports;
  const env = [...(out.Env ?? [])];
  const keys = new Set(env.map((e) => e.split('=')[0]));
  for (const entry of container.Env ?? []) if (!keys.has(entry.split('=')[0])) env.push(entry);
  if (env.length > 0) out.Env = env;
  const labels = { ...(container.Labels ?? {}), ...(out.Labels ?? {}) };
  if (Object.keys(labels).length > 0) out.Labels = labels;
  if (!out.Cmd || out.Cmd.length === 0) {
    out.Cmd = container.Cmd ?? null;
    if (!out.Entrypoint || out.Entrypoint.length === 0)
      out.Entrypoint = container.Entrypoint ?? null;
  }
  if (!out.Healthcheck) out.Healthcheck = container.Healthcheck ?? null;
  if (!out.WorkingDir) out.WorkingDir = container.WorkingDir ?? '';
  const volumes = { ...(container.Volumes ?? {}), ...(out.Volumes ?? {}) };
  if (Object.keys(volumes).length > 0) out.Volumes = volumes;
  if (!out.OnBuild || out.OnBuild.length === 0) out.OnBuild = container.OnBuild ?? null;
  if (!out.StopSignal && container.StopSignal) out.StopSignal = container.StopSignal;
  for (const key of ['Hostname', 'Domainname', 'Image', 'Tty', 'OpenStdin', 'StdinOnce'] as const) {
    if (out[key] === undefined && container[key] !== undefined) {
      (out as Record<string, unknown>)[key] = container[key];
    }
  }
  return out;
}
