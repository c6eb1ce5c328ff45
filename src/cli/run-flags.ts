/**
 * The flags of `moor create` and `moor run` (docker's containerOptions plus the create and run
 * options), with docker's names, shorthands and help. run-options.ts turns them into the
 * `POST /containers/create` body.
 */
import type { FlagSpec } from '../core/index.js';

function list(name: string, help: string, short?: string): FlagSpec {
  return { name, type: 'list', help, ...(short ? { short } : {}) };
}

function text(name: string, help: string, short?: string, value?: string): FlagSpec {
  return { name, type: 'string', help, ...(short ? { short } : {}), ...(value ? { value } : {}) };
}

function bool(name: string, help: string, short?: string): FlagSpec {
  return { name, type: 'bool', help, ...(short ? { short } : {}) };
}

/** The flags both create and run take (docker's addFlags and createOptions). */
export const CONTAINER_FLAGS: FlagSpec[] = [
  list('add-host', 'Add a custom host-to-IP mapping (host:ip)'),
  {
    ...list(
      'annotation',
      'Add an annotation to the container (passed through to the OCI runtime) (default map[])',
    ),
    value: 'map',
  },
  list('attach', 'Attach to STDIN, STDOUT or STDERR', 'a'),
  text(
    'blkio-weight',
    'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)',
    undefined,
    'uint16',
  ),
  list('blkio-weight-device', 'Block IO weight (relative device weight) (default [])'),
  list('cap-add', 'Add Linux capabilities'),
  list('cap-drop', 'Drop Linux capabilities'),
  text('cgroup-parent', 'Optional parent cgroup for the container'),
  text(
    'cgroupns',
    [
      'Cgroup namespace to use (host|private)',
      "'host':    Run the container in the Docker host's cgroup namespace",
      "'private': Run the container in its own private cgroup namespace",
      "'':        Use the cgroup namespace as configured by the",
      '           default-cgroupns-mode option on the daemon (default)',
    ].join('\n'),
  ),
  text('cidfile', 'Write the container ID to the file'),
  text('cpu-period', 'Limit CPU CFS (Completely Fair Scheduler) period', undefined, 'int'),
  text('cpu-quota', 'Limit CPU CFS (Completely Fair Scheduler) quota', undefined, 'int'),
  text('cpu-rt-period', 'Limit CPU real-time period in microseconds', undefined, 'int'),
  text('cpu-rt-runtime', 'Limit CPU real-time runtime in microseconds', undefined, 'int'),
  text('cpu-shares', 'CPU shares (relative weight)', 'c', 'int'),
  text('cpus', 'Number of CPUs', undefined, 'decimal'),
  text('cpuset-cpus', 'CPUs in which to allow execution (0-3, 0,1)'),
  text('cpuset-mems', 'MEMs in which to allow execution (0-3, 0,1)'),
  list('device', 'Add a host device to the container'),
  list('device-cgroup-rule', 'Add a rule to the cgroup allowed devices list'),
  list('device-read-bps', 'Limit read rate (bytes per second) from a device (default [])'),
  list('device-read-iops', 'Limit read rate (IO per second) from a device (default [])'),
  list('device-write-bps', 'Limit write rate (bytes per second) to a device (default [])'),
  list('device-write-iops', 'Limit write rate (IO per second) to a device (default [])'),
  {
    ...bool('disable-content-trust', 'Skip image verification (default true)'),
    default: true,
  },
  list('dns', 'Set custom DNS servers'),
  list('dns-option', 'Set DNS options'),
  { ...list('dns-opt', 'Set DNS options'), hidden: true },
  list('dns-search', 'Set custom DNS search domains'),
  text('domainname', 'Container NIS domain name'),
  text('entrypoint', 'Overwrite the default ENTRYPOINT of the image'),
  list('env', 'Set environment variables', 'e'),
  list('env-file', 'Read in a file of environment variables'),
  list('expose', 'Expose a port or a range of ports'),
  list('group-add', 'Add additional groups to join'),
  {
    ...list('gpus', "GPU devices to add to the container ('all' to pass all GPUs)"),
    value: 'gpu-request',
  },
  text('health-cmd', 'Command to run to check health'),
  text(
    'health-interval',
    'Time between running the check (ms|s|m|h) (default 0s)',
    undefined,
    'duration',
  ),
  text('health-retries', 'Consecutive failures needed to report unhealthy', undefined, 'int'),
  text(
    'health-start-interval',
    'Time between running the check during the start period (ms|s|m|h) (default 0s)',
    undefined,
    'duration',
  ),
  text(
    'health-start-period',
    'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)',
    undefined,
    'duration',
  ),
  text(
    'health-timeout',
    'Maximum time to allow one check to run (ms|s|m|h) (default 0s)',
    undefined,
    'duration',
  ),
  text('hostname', 'Container host name', 'h'),
  bool('init', 'Run an init inside the container that forwards signals and reaps processes'),
  bool('interactive', 'Keep STDIN open even if not attached', 'i'),
  text('ip', 'IPv4 address (e.g., 172.30.100.104)'),
  text('ip6', 'IPv6 address (e.g., 2001:db8::33)'),
  text('ipc', 'IPC mode to use'),
  text('isolation', 'Container isolation technology'),
  text('kernel-memory', 'Kernel memory limit', undefined, 'bytes'),
  list('label', 'Set meta data on a container', 'l'),
  list('label-file', 'Read in a line delimited file of labels'),
  list('link', 'Add link to another container'),
  list('link-local-ip', 'Container IPv4/IPv6 link-local addresses'),
  text('log-driver', 'Logging driver for the container'),
  list('log-opt', 'Log driver options'),
  text('mac-address', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)'),
  text('memory', 'Memory limit', 'm', 'bytes'),
  text('memory-reservation', 'Memory soft limit', undefined, 'bytes'),
  text(
    'memory-swap',
    "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
    undefined,
    'bytes',
  ),
  text(
    'memory-swappiness',
    'Tune container memory swappiness (0 to 100) (default -1)',
    undefined,
    'int',
  ),
  { ...list('mount', 'Attach a filesystem mount to the container'), value: 'mount' },
  text('name', 'Assign a name to the container'),
  { ...list('net', 'Connect a container to a network'), hidden: true },
  { ...list('net-alias', 'Add network-scoped alias for the container'), hidden: true },
  { ...list('network', 'Connect a container to a network'), value: 'network' },
  list('network-alias', 'Add network-scoped alias for the container'),
  bool('no-healthcheck', 'Disable any container-specified HEALTHCHECK'),
  bool('oom-kill-disable', 'Disable OOM Killer'),
  text('oom-score-adj', "Tune host's OOM preferences (-1000 to 1000)", undefined, 'int'),
  text('pid', 'PID namespace to use'),
  text('pids-limit', 'Tune container pids limit (set -1 for unlimited)', undefined, 'int'),
  text('platform', 'Set platform if server is multi-platform capable'),
  bool('privileged', 'Give extended privileges to this container'),
  list('publish', "Publish a container's port(s) to the host", 'p'),
  bool('publish-all', 'Publish all exposed ports to random ports', 'P'),
  {
    ...text('pull', 'Pull image before running ("always", "missing", "never") (default "missing")'),
    default: 'missing',
  },
  bool('quiet', 'Suppress the pull output', 'q'),
  bool('read-only', "Mount the container's root filesystem as read only"),
  {
    ...text('restart', 'Restart policy to apply when a container exits (default "no")'),
    default: 'no',
  },
  bool(
    'rm',
    'Automatically remove the container and its associated anonymous volumes when it exits',
  ),
  text('runtime', 'Runtime to use for this container'),
  list('security-opt', 'Security Options'),
  text('shm-size', 'Size of /dev/shm', undefined, 'bytes'),
  text('stop-signal', 'Signal to stop the container'),
  text('stop-timeout', 'Timeout (in seconds) to stop a container', undefined, 'int'),
  list('storage-opt', 'Storage driver options for the container'),
  { ...list('sysctl', 'Sysctl options (default map[])'), value: 'map' },
  list('tmpfs', 'Mount a tmpfs directory'),
  bool('tty', 'Allocate a pseudo-TTY', 't'),
  { ...list('ulimit', 'Ulimit options (default [])'), value: 'ulimit' },
  bool('use-api-socket', 'Bind mount Docker API socket and required auth'),
  text('user', 'Username or UID (format: <name|uid>[:<group|gid>])', 'u'),
  text('userns', 'User namespace to use'),
  text('uts', 'UTS namespace to use'),
  list('volume', 'Bind mount a volume', 'v'),
  text('volume-driver', 'Optional volume driver for the container'),
  list('volumes-from', 'Mount volumes from the specified container(s)'),
  text('workdir', 'Working directory inside the container', 'w'),
];

/** What only `run` adds. */
export const RUN_ONLY_FLAGS: FlagSpec[] = [
  bool('detach', 'Run container in background and print container ID', 'd'),
  text('detach-keys', 'Override the key sequence for detaching a container'),
  { ...bool('sig-proxy', 'Proxy received signals to the process (default true)'), default: true },
];

function byName(a: FlagSpec, b: FlagSpec): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** docker's create and run list `--help` among their options. */
const HELP: FlagSpec = bool('help', 'Print usage');

/** create's `--pull` help, as docker 28 words it (the stray `|` included). */
const CREATE_PULL_HELP =
  'Pull image before creating ("always", "|missing", "never") (default "missing")';

/** The create flags, sorted as docker's help lists them. */
export const CREATE_FLAGS: FlagSpec[] = [...CONTAINER_FLAGS, HELP]
  .map((spec) => (spec.name === 'pull' ? { ...spec, help: CREATE_PULL_HELP } : spec))
  .sort(byName);

/** The run flags, sorted as docker's help lists them. */
export const RUN_FLAGS: FlagSpec[] = [...CONTAINER_FLAGS, ...RUN_ONLY_FLAGS, HELP].sort(byName);
