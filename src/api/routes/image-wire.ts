import type { HistoryResponseItem, ImageInspect, ImageSummary } from '../../api-types/index.js';
import type { HistoryItem, ImageView } from '../../images/index.js';
import type { ContainerConfig } from '../../oci/index.js';
import { compareApiVersions } from '../version.js';

const unixSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

export function toImageSummary(image: ImageView, apiVersion: string): ImageSummary {
  const summary: ImageSummary = {
    Id: image.id,
    ParentId: image.parent ?? '',
    RepoTags: image.repoTags,
    RepoDigests: image.repoDigests,
    Created: unixSeconds(image.created),
    Size: image.size,
    SharedSize: -1,
    Labels: image.config.config?.Labels ?? {},
    Containers: -1,
  };
  if (compareApiVersions(apiVersion, '1.44') < 0) summary.VirtualSize = image.size;
  return summary;
}

/**
 * The image's container config as `image inspect` shows it. API 1.50 dropped the fields that
 * are not part of an image config; older versions still get them, always empty.
 */
export function toWireImageConfig(
  cfg: ContainerConfig | undefined,
  apiVersion: string,
): Record<string, unknown> {
  const c = cfg ?? {};
  const out: Record<string, unknown> = {};
  const legacy = compareApiVersions(apiVersion, '1.50') < 0;
  if (legacy) {
    Object.assign(out, {
      Hostname: '',
      Domainname: '',
      User: c.User ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
    });
  } else out['User'] = c.User ?? '';
  if (c.ExposedPorts) out['ExposedPorts'] = c.ExposedPorts;
  if (legacy) Object.assign(out, { Tty: false, OpenStdin: false, StdinOnce: false });
  out['Env'] = c.Env ?? null;
  out['Cmd'] = c.Cmd ?? null;
  if (c.Healthcheck) out['Healthcheck'] = c.Healthcheck;
  if (c.ArgsEscaped) out['ArgsEscaped'] = true;
  if (legacy) out['Image'] = '';
  out['Volumes'] = c.Volumes ?? null;
  out['WorkingDir'] = c.WorkingDir ?? '';
  out['Entrypoint'] = c.Entrypoint ?? null;
  out['OnBuild'] = c.OnBuild ?? null;
  out['Labels'] = c.Labels ?? null;
  if (c.StopSignal) out['StopSignal'] = c.StopSignal;
  if (c.Shell) out['Shell'] = c.Shell;
  return out;
}

export function toImageInspect(image: ImageView, apiVersion: string): ImageInspect {
  const cfg = image.config;
  const inspect: ImageInspect = {
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: image.repoDigests,
    Parent: image.parent ?? '',
    // As dockerd: without a comment of its own, the last history entry's (a commit's message).
    Comment: cfg.comment || (cfg.history?.at(-1)?.comment ?? ''),
    Created: cfg.created ?? new Date(0).toISOString(),
    DockerVersion: cfg.docker_version ?? '',
    Author: cfg.author ?? '',
    Config: toWireImageConfig(cfg.config, apiVersion),
    Architecture: cfg.architecture,
    Os: cfg.os,
    Size: image.size,
    GraphDriver: { Name: image.driver, Data: image.driverData },
    RootFS: { Type: 'layers', Layers: image.diffIds },
    Metadata: { LastTagTime: image.lastTagTime ?? '0001-01-01T00:00:00Z' },
  };
  if (cfg.variant) inspect.Variant = cfg.variant;
  if (compareApiVersions(apiVersion, '1.44') < 0) inspect.VirtualSize = image.size;
  return inspect;
}

export function toHistoryItem(item: HistoryItem): HistoryResponseItem {
  return {
    Id: item.id,
    Created: unixSeconds(item.created),
    CreatedBy: item.createdBy,
    Tags: item.tags.length > 0 ? item.tags : null,
    Size: item.size,
    Comment: item.comment,
  };
}
