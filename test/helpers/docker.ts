// The real Docker Engine for integration tests: started (and installed) by the lab scripts.
import Dockerode from 'dockerode';
import { runLabScript } from './lab.js';

/** built by scripts/lab/build-test-images.sh: busybox applets, default command `sleep 1000000` */
export const TEST_IMAGE = 'tether-test/busybox:1';

export async function ensureDocker(): Promise<void> {
  await runLabScript('ensure-docker.sh');
  await runLabScript('build-test-images.sh');
}

export function dockerClient(): Dockerode {
  return new Dockerode({ socketPath: '/var/run/docker.sock' });
}

/** a name unique to this test run, safe for containers, images and folders */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Runs a command in a running container; returns exit code and output (stdout+stderr). */
export async function execIn(docker: Dockerode, id: string, cmd: string[], user?: string): Promise<{ code: number; output: string }> {
  const exec = await docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: user });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const sink = { write: (c: Buffer) => chunks.push(c) };
    docker.modem.demuxStream(stream, sink as unknown as NodeJS.WritableStream, sink as unknown as NodeJS.WritableStream);
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { code: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString('utf8') };
}

/** Removes every container carrying the label (cleanup after a test, even a failed one). */
export async function removeLabelled(docker: Dockerode, label: string): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [label] } });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: false }).catch(() => undefined)));
}

/** Removes every Tether container whose session id starts with prefix (a runtime contract run's cleanup). */
export async function removeSessionsWithPrefix(docker: Dockerode, prefix: string): Promise<void> {
  const all = await docker.listContainers({ all: true, filters: { label: ['tether=1'] } });
  await Promise.all(
    all.filter((c) => (c.Labels['tether.session'] ?? '').startsWith(prefix))
      .map((c) => docker.getContainer(c.Id).remove({ force: true, v: false }).catch(() => undefined)),
  );
}
