// A real image registry (Debian's docker-registry, distribution 2.8) on a free loopback port,
// optionally with htpasswd (bcrypt) auth, storing in a per-run temp dir. The engine treats
// 127.0.0.0/8 as an insecure registry, so plain HTTP works without engine configuration.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { TEST_IMAGE } from './docker.js';
import { runLabScript } from './lab.js';
import { freePort } from './ports.js';

const execFileAsync = promisify(execFile);

export interface TestRegistry {
  /** host:port, the prefix of image references */
  host: string;
  auth: { username: string; password: string; serveraddress: string } | undefined;
  /** makes an image with a layer of its own (the test image + a unique file) as <host>/<name>:1,
   *  pushes it and deletes it from the engine, so a pull really downloads; returns the reference */
  pushTestImage(docker: Dockerode, name: string): Promise<string>;
  /** SIGSTOP / SIGCONT the registry process: a registry that stops answering mid-pull */
  hang(): void;
  resume(): void;
  stop(): Promise<void>;
}


function followStream(docker: Dockerode, stream: NodeJS.ReadableStream, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => {
      const failed = out?.find((o) => o.error);
      if (err || failed) reject(new Error(`registry helper: ${what} failed: ${err?.message ?? failed?.error}`));
      else resolve();
    });
  });
}

export async function startRegistry(opts: { auth?: { username: string; password: string } } = {}): Promise<TestRegistry> {
  await runLabScript('ensure-tools.sh');
  const dir = mkdtempSync('/tmp/tether-registry-');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let authYaml = '';
  if (opts.auth) {
    // htpasswd -B: bcrypt, the only scheme distribution accepts
    await execFileAsync('htpasswd', ['-Bbc', `${dir}/htpasswd`, opts.auth.username, opts.auth.password]);
    authYaml = `auth:\n  htpasswd:\n    realm: tether-test\n    path: ${dir}/htpasswd\n`;
  }
  writeFileSync(`${dir}/config.yml`, `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${authYaml}`);
  const child: ChildProcess = spawn('docker-registry', ['serve', `${dir}/config.yml`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => { log += c.toString(); });
  child.unref();
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 50));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const end = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`registry helper: docker-registry exited (${child.exitCode}): ${log}`);
      const res = await fetch(`http://${host}/v2/`).catch(() => null);
      if (res && (res.status === 200 || res.status === 401)) break;
      if (Date.now() > end) throw new Error(`registry helper: no answer on ${host} within 15 s: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const auth = opts.auth ? { ...opts.auth, serveraddress: host } : undefined;
  return {
    host,
    auth,
    async pushTestImage(docker, name) {
      const repo = `${host}/${name}`;
      const builder = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ['sh', '-c', `echo ${name}-${Date.now()} > /unique`] });
      try {
        await builder.start();
        await builder.wait();
        await builder.commit({ repo, tag: '1' });
      } finally {
        await builder.remove({ force: true });
      }
      const image = docker.getImage(`${repo}:1`);
      // the engine wants an X-Registry-Auth header on push even without auth
      const stream = await image.push({ authconfig: auth ?? {} });
      await followStream(docker, stream, `push ${repo}:1`);
      // gone from the engine (its own layer too): the engine must pull it back through the registry
      await image.remove();
      return `${repo}:1`;
    },
    hang: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop,
  };
}
