/** What a driver may know of its container, for the `labels`, `env` and `tag` log-opts. */
export interface LogContainerInfo {
  /** The container's name (with or without the leading `/`). */
  name?: string;
  /** The image id (`sha256:…` or hex) and the name the user gave. */
  imageId?: string;
  imageName?: string;
  labels?: Record<string, string>;
  /** `KEY=value` entries. */
  env?: readonly string[];
}

function hexOf(id: string): string {
  return id.startsWith('sha256:') ? id.slice(7) : id;
}

/**
 * dockerd's log tag template (`--log-opt tag=…`), for the fields it offers: {{.ID}},
 * {{.FullID}}, {{.Name}}, {{.ImageID}}, {{.ImageFullID}}, {{.ImageName}}, {{.DaemonName}}.
 * Other template syntax is left as written.
 */
export function expandLogTag(template: string, id: string, info: LogContainerInfo): string {
  const fields: Record<string, string> = {
    ID: id.slice(0, 12),
    FullID: id,
    Name: (info.name ?? '').replace(/^\//, ''),
    ImageID: hexOf(info.imageId ?? '').slice(0, 12),
    ImageFullID: hexOf(info.imageId ?? ''),
    ImageName: info.imageName ?? '',
    DaemonName: 'docker',
  };
  return template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (all, name: string) => fields[name] ?? all);
}

function list(value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : value.split(',');
}

/**
 * The extra attributes a driver adds to every record (dockerd's Info.ExtraAttributes plus the
 * tag): the labels and environment variables the log-opts name or match, and `tag` when the
 * user gave a tag template.
 */
export function logAttributes(
  config: Record<string, string>,
  id: string,
  info: LogContainerInfo,
): Record<string, string> {
  const attrs: Record<string, string> = {};
  const labels = info.labels ?? {};
  for (const key of list(config.labels)) {
    const value = labels[key];
    if (value !== undefined) attrs[key] = value;
  }
  if (config['labels-regex']) {
    const re = new RegExp(config['labels-regex']);
    for (const [key, value] of Object.entries(labels)) if (re.test(key)) attrs[key] = value;
  }
  const env = new Map<string, string>();
  for (const entry of info.env ?? []) {
    const eq = entry.indexOf('=');
    if (eq >= 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const key of list(config.env)) {
    const value = env.get(key);
    if (value !== undefined) attrs[key] = value;
  }
  if (config['env-regex']) {
    const re = new RegExp(config['env-regex']);
    for (const [key, value] of env) if (re.test(key)) attrs[key] = value;
  }
  if (config.tag) {
    const tag = expandLogTag(config.tag, id, info);
    if (tag !== '') attrs.tag = tag;
  }
  return attrs;
}
