// A real SSHFS export that can be made to hang: our own sshd on a free loopback port (own host
// key, own authorized_keys file: root's ~/.ssh is never touched) and an sshfs mount without
// caches, all under a per-run temp dir. hang() SIGSTOPs the sftp-server serving the mount;
// teardown() always resumes it and lazily unmounts, so nothing hung outlives the test.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { runLabScript } from './lab.js';
import { freePort } from './ports.js';

const execFileAsync = promisify(execFile);

export interface SshfsExport {
  /** the folder sshd serves (local, never hangs) */
  exportDir: string;
  /** where it is mounted through sshfs (hangs after hang()) */
  mountDir: string;
  hang(): void;
  resume(): void;
  teardown(): Promise<void>;
}


function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // field 4 after the ")" closing the command name
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return null;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The single-letter scheduler state of a process (R, S, D, T, Z), or null when it is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

function descendantsOf(root: number): number[] {
  const all = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  const out: number[] = [];
  for (const pid of all) {
    for (let p: number | null = parentOf(pid), hops = 0; p && p > 1 && hops < 10; p = parentOf(p), hops++) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

async function waitFor<T>(what: string, probe: () => T | null | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > end) throw new Error(`sshfs helper: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startSshfsExport(): Promise<SshfsExport> {
  await runLabScript('ensure-tools.sh');
  const base = mkdtempSync('/tmp/tether-sshfs-');
  const exportDir = `${base}/export`;
  const mountDir = `${base}/mnt`;
  mkdirSync(exportDir);
  mkdirSync(mountDir);
  mkdirSync('/run/sshd', { recursive: true });
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', `${base}/client_key`]);
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', `${base}/host_key`]);
  writeFileSync(`${base}/authorized_keys`, readFileSync(`${base}/client_key.pub`), { mode: 0o600 });
  const port = await freePort();

  let sshd: ChildProcess | null = null;
  let sftpPid: number | null = null;
  let mounted = false;
  const teardown = async (): Promise<void> => {
    if (sftpPid) {
      try { process.kill(sftpPid, 'SIGCONT'); } catch { /* gone */ }
    }
    if (mounted) {
      await execFileAsync('umount', ['-l', mountDir]).catch(() => execFileAsync('fusermount', ['-uz', mountDir]).catch(() => undefined));
      mounted = false;
    }
    if (sshd && sshd.exitCode === null) sshd.kill('SIGTERM');
    rmSync(base, { recursive: true, force: true });
  };

  try {
    sshd = spawn('/usr/sbin/sshd', [
      '-D', '-e', '-f', '/dev/null', '-p', String(port), '-h', `${base}/host_key`,
      '-o', 'ListenAddress=127.0.0.1', '-o', `PidFile=${base}/sshd.pid`,
      '-o', `AuthorizedKeysFile=${base}/authorized_keys`, '-o', 'StrictModes=no',
      '-o', 'PermitRootLogin=prohibit-password', '-o', 'UsePAM=no',
      '-o', 'Subsystem=sftp /usr/lib/openssh/sftp-server',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let sshdLog = '';
    sshd.stderr?.on('data', (c: Buffer) => { sshdLog += c.toString(); });
    sshd.unref();
    await waitFor('sshd to listen', () => (/Server listening/.test(sshdLog) ? true : sshd?.exitCode !== null ? (() => { throw new Error(`sshd exited: ${sshdLog}`); })() : null));
    await execFileAsync('sshfs', [
      '-p', String(port),
      '-o', `IdentityFile=${base}/client_key,StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,BatchMode=yes,allow_other,cache=no,attr_timeout=0,entry_timeout=0,negative_timeout=0`,
      `root@127.0.0.1:${exportDir}`, mountDir,
    ], { timeout: 15_000 });
    mounted = true;
    const sshdPid = sshd.pid!;
    sftpPid = await waitFor('the sftp-server serving the mount', () => descendantsOf(sshdPid).find((p) => commandOf(p).includes('sftp-server')) ?? null);
  } catch (err) {
    await teardown();
    throw err;
  }
  const pid = sftpPid;
  return {
    exportDir,
    mountDir,
    hang: () => process.kill(pid, 'SIGSTOP'),
    resume: () => process.kill(pid, 'SIGCONT'),
    teardown,
  };
}
