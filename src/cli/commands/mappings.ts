// `tether mappings validate|resolve`: the volume-mapping domain, offline (no server needed).
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Command } from 'commander';
import {
  checkDocumentPolicy, formatMappingError, isUuid, MappingDomainError, normalizePath, parseMappingDocument,
  resolveEffectiveMounts, validateUsername, type HostPathPolicy, type MappingDocument,
} from '../../mappings/index.js';
import { ExitCode } from '../exit-codes.js';

/** Thrown inside a command to stop with an exit code and message lines on stderr. */
class CommandFailure extends Error {
  constructor(readonly exitCode: ExitCode, readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function readInput(file: string | undefined): Promise<{ text: string; label: string }> {
  if (file === undefined || file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return { text: Buffer.concat(chunks).toString('utf8'), label: '(stdin)' };
  }
  try {
    return { text: await readFile(file, 'utf8'), label: file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    const why = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory' }[code] ?? (error as Error).message;
    throw new CommandFailure(ExitCode.unreadable, [`cannot read ${JSON.stringify(file)}: ${why} (${code}); expected a readable JSON file`]);
  }
}

function policyFrom(opts: { allowedRoot: string[]; deny: string[] }): HostPathPolicy {
  for (const [flag, dirs] of [['--allowed-root', opts.allowedRoot], ['--deny', opts.deny]] as const) {
    for (const dir of dirs) {
      if (!dir.startsWith('/')) throw new CommandFailure(ExitCode.invalid, [`${flag} ${JSON.stringify(dir)}: expected an absolute path`]);
    }
  }
  return { allowedRoots: opts.allowedRoot.map(normalizePath), extraDenied: opts.deny.map(normalizePath) };
}

/** Parses and checks one document (syntax, rules, then the save-time policy); errors prefixed by `prefix`. */
async function loadDocument(file: string | undefined, policy: HostPathPolicy, prefixWithFile: boolean): Promise<MappingDocument> {
  const { text, label } = await readInput(file);
  const parsed = parseMappingDocument(text);
  const errors = parsed.ok ? checkDocumentPolicy(parsed.document, policy) : parsed.errors;
  if (errors.length > 0 || !parsed.ok) {
    throw new CommandFailure(ExitCode.invalid, errors.map((e) => (prefixWithFile ? `${label}: ` : '') + formatMappingError(e)));
  }
  return parsed.document;
}

function nameOf(file: string): string {
  return basename(file, extname(file));
}

function parseGroupOption(spec: string): { file: string; priority: number } {
  const colon = spec.lastIndexOf(':');
  const file = colon > 0 ? spec.slice(0, colon) : '';
  const priorityText = colon > 0 ? spec.slice(colon + 1) : '';
  if (file === '' || !/^-?[0-9]{1,15}$/.test(priorityText)) {
    throw new CommandFailure(ExitCode.invalid, [`--group ${JSON.stringify(spec)}: expected FILE:PRIORITY with an integer priority, e.g. groups/developers.json:10`]);
  }
  return { file, priority: Number(priorityText) };
}

interface ResolveOptions {
  image: string;
  group: string[];
  username: string;
  userId: string;
  imageId: string;
  allowedRoot: string[];
  deny: string[];
}

function checkIdentity(opts: ResolveOptions): void {
  const problems: string[] = [];
  const usernameProblem = validateUsername(opts.username);
  if (usernameProblem) problems.push(`--username ${JSON.stringify(opts.username)}: ${usernameProblem}`);
  if (!isUuid(opts.userId)) problems.push(`--user-id ${JSON.stringify(opts.userId)}: not a UUID; expected e.g. 0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10`);
  if (!isUuid(opts.imageId)) problems.push(`--image-id ${JSON.stringify(opts.imageId)}: not a UUID; expected e.g. 0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10`);
  if (problems.length > 0) throw new CommandFailure(ExitCode.invalid, problems);
}

async function resolveCommand(opts: ResolveOptions): Promise<string> {
  checkIdentity(opts);
  const policy = policyFrom(opts);
  const groupSpecs = opts.group.map(parseGroupOption);
  const problems: string[] = [];
  for (const [i, g] of groupSpecs.entries()) {
    const clash = groupSpecs.slice(0, i).find((other) => other.priority === g.priority || nameOf(other.file) === nameOf(g.file));
    if (clash) problems.push(`--group ${JSON.stringify(g.file)}: same ${clash.priority === g.priority ? `priority ${g.priority}` : `name "${nameOf(g.file)}"`} as ${JSON.stringify(clash.file)}; expected unique group names and priorities`);
  }
  if (problems.length > 0) throw new CommandFailure(ExitCode.invalid, problems);
  // Load every file before failing, so one run reports the errors of all of them.
  const files = [opts.image, ...groupSpecs.map((g) => g.file)];
  const loaded = await Promise.allSettled(files.map((file) => loadDocument(file, policy, true)));
  const failures = loaded.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    const unreadable = failures.some((f) => f instanceof CommandFailure && f.exitCode === ExitCode.unreadable);
    const lines = failures.flatMap((f) => (f instanceof CommandFailure ? f.lines : [String(f)]));
    throw new CommandFailure(unreadable ? ExitCode.unreadable : ExitCode.invalid, lines);
  }
  const docs = loaded.map((r) => (r as PromiseFulfilledResult<MappingDocument>).value);
  try {
    const view = resolveEffectiveMounts({
      image: { name: nameOf(opts.image), volume_mappings: docs[0]! },
      groups: groupSpecs.map((g, i) => ({ name: nameOf(g.file), priority: g.priority, volume_mappings: docs[i + 1]! })),
      tokens: { username: opts.username, user_id: opts.userId, image_id: opts.imageId },
      policy,
    });
    return JSON.stringify(view, null, 2);
  } catch (error) {
    if (error instanceof MappingDomainError) throw new CommandFailure(ExitCode.invalid, [error.message]);
    throw error;
  }
}

/** Runs a command body: stdout on success, stderr lines and the exit code on failure. */
async function run(body: () => Promise<string>): Promise<void> {
  try {
    process.stdout.write(`${await body()}\n`);
    process.exitCode = ExitCode.ok;
  } catch (error) {
    if (!(error instanceof CommandFailure)) throw error;
    process.stderr.write(`${error.lines.join('\n')}\n`);
    process.exitCode = error.exitCode;
  }
}

export function registerMappingsCommands(program: Command): void {
  const mappings = program.command('mappings').description('Check and preview volume mappings offline (no server needed)');

  mappings
    .command('validate')
    .description('Validate a volume-mapping document; print it normalized (defaults filled) or every error')
    .argument('[file]', 'JSON file; stdin when omitted or "-"')
    .option('--allowed-root <dir>', 'only allow host paths inside this root (repeatable)', collect, [])
    .option('--deny <dir>', 'also refuse this host path, its contents and ancestors (repeatable)', collect, [])
    .action(async (file: string | undefined, opts: { allowedRoot: string[]; deny: string[] }) => {
      await run(async () => {
        const policy = policyFrom(opts);
        return JSON.stringify(await loadDocument(file, policy, false), null, 2);
      });
    });

  mappings
    .command('resolve')
    .description('Show the effective mounts of one session: image mappings merged with every group\'s')
    .requiredOption('--image <file>', "the image's volume_mappings document (source named after the file)")
    .option('--group <file:priority>', "a group's volume_mappings document and its priority (repeatable)", collect, [])
    .requiredOption('--username <name>', 'the user launching the session')
    .requiredOption('--user-id <uuid>', "the user's id")
    .requiredOption('--image-id <uuid>', "the image's id")
    .option('--allowed-root <dir>', 'only allow host paths inside this root (repeatable)', collect, [])
    .option('--deny <dir>', 'also refuse this host path, its contents and ancestors (repeatable)', collect, [])
    .action(async (opts: ResolveOptions) => {
      await run(() => resolveCommand(opts));
    });
}
