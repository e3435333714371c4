// How a session container is confined by default, shared by the API (validating an image's
// `security` overrides), the sessions (resolving them) and the runtime (the create body).
// Pure: no I/O.

/**
 * The Tether-owned bridge network every session joins unless its image says otherwise. One
 * shared network with inter-container traffic off (enable_icc=false), rather than a network
 * per session: the engine's default address pools hold about 30 bridge networks, so a network
 * per session would cap a host at about 30 sessions; and creating one costs a launch ~100 ms.
 */
export const SESSION_NETWORK = 'tether-sessions';
/** The host side of that bridge (at most 15 characters): the firewall matches on it. */
export const SESSION_BRIDGE = 'tether-sessions';

/**
 * Capabilities a session keeps; every other one is dropped (CapDrop ALL). What ordinary
 * workspace images need when their entrypoint runs as root and then drops to a user
 * (gosu/su-exec/s6: SETUID, SETGID), prepares its home (CHOWN, FOWNER, DAC_OVERRIDE),
 * manages its own processes (KILL) and binds a port below 1024 (NET_BIND_SERVICE).
 * Left out of Docker's own default set: NET_RAW (forged ARP/raw packets on the shared bridge
 * could impersonate another session to the app proxy), MKNOD, SETFCAP, SETPCAP, SYS_CHROOT,
 * AUDIT_WRITE, FSETID.
 */
export const DEFAULT_CAPABILITIES: readonly string[] = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'];

/** Processes (threads included) a session may hold at once: contains a fork bomb. */
export const DEFAULT_PIDS_LIMIT = 1024;
/** Server defaults for images that set no cores/memory (TETHER_SESSION_CORES / TETHER_SESSION_MEMORY). */
export const DEFAULT_SESSION_CORES = 2;
export const DEFAULT_SESSION_MEMORY = 4 * 1024 ** 3;

/** Bounds of an image's pids_limit. */
export const MIN_PIDS_LIMIT = 32;
export const MAX_PIDS_LIMIT = 4_194_304;

/** Linux capability names as the engine takes them (without the CAP_ prefix). */
export const LINUX_CAPABILITIES: readonly string[] = [
  'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'BPF', 'CHECKPOINT_RESTORE', 'CHOWN',
  'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE',
  'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE', 'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST',
  'NET_RAW', 'PERFMON', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYSLOG', 'SYS_ADMIN', 'SYS_BOOT',
  'SYS_CHROOT', 'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_RESOURCE', 'SYS_TIME',
  'SYS_TTY_CONFIG', 'WAKE_ALARM',
];

/** The confinement of one container, resolved (image overrides applied to the defaults). */
export interface ContainerHardening {
  /** engine network name */
  network: string;
  /** capabilities kept; all others dropped */
  capabilities: string[];
  noNewPrivileges: boolean;
  /** null = no limit */
  pidsLimit: number | null;
}

export const DEFAULT_HARDENING: Readonly<ContainerHardening> = Object.freeze({
  network: SESSION_NETWORK,
  capabilities: [...DEFAULT_CAPABILITIES],
  noNewPrivileges: true,
  pidsLimit: DEFAULT_PIDS_LIMIT,
});
