// Reads a Dockerfile and replays its stages on this machine, for CI where no Docker engine runs: each stage gets
// an empty folder as its file system, COPY takes only what the build context holds (the repository's tracked
// files less .dockerignore), RUN runs in the stage's WORKDIR. A file the build reads but no COPY brought in
// fails the replay as it would fail `docker build`. The base image's own files and tools are the host's.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

/** One instruction of a Dockerfile, its continuation lines joined. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** A build stage: `FROM image [AS name]` and the instructions after it. */
export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

/** Parses a Dockerfile into stages; comments and blank lines are dropped, `\` continues a line. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const [image = '', as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${keyword} before FROM`);
      stage.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** A COPY's sources and destination, and the stage it copies from (`--from=`), if any. */
export function parseCopy(args: string): { from: string | undefined; sources: string[]; dest: string } {
  const parts = args.split(/\s+/);
  const flags = parts.filter((part) => part.startsWith('--'));
  const unknown = flags.filter((flag) => !flag.startsWith('--from='));
  if (unknown.length > 0) throw new Error(`COPY flags this replay does not know: ${unknown.join(' ')}`);
  const paths = parts.filter((part) => !part.startsWith('--'));
  const dest = paths.pop();
  if (!dest || paths.length === 0) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from: flags[0]?.slice('--from='.length), sources: paths, dest };
}

/** A test of .dockerignore's patterns (`*`, `**`, no `!` exceptions) against a context path. */
export function dockerignore(text: string): (path: string) => boolean {
  const patterns = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  if (patterns.some((pattern) => pattern.startsWith('!'))) throw new Error('! patterns are not supported');
  const regexes = patterns.map((pattern) => {
    const body = pattern
      .replace(/^\/+|\/+$/g, '')
      .split('/')
      .map((part) =>
        part === '**' ? '(?:.*/)?' : `${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}/`,
      )
      .join('');
    // A pattern names a path and everything under it.
    return new RegExp(`^${body.replace(/\/$/, '')}(?:/|$)`);
  });
  return (path) => regexes.some((regex) => regex.test(path));
}

/** The build context of a repository as a clean clone has it: tracked files, less what .dockerignore names. */
export function contextFiles(repo: string): string[] {
  const file = join(repo, '.dockerignore');
  const ignored = existsSync(file) ? dockerignore(readFileSync(file, 'utf8')) : () => false;
  return execFileSync('git', ['-C', repo, 'ls-files', '-z'], { encoding: 'utf8' })
    .split('\0')
    .filter((path) => path && !ignored(path) && existsSync(join(repo, path)));
}

/** What a replayed stage left: its file system root, its WORKDIR there, its ENV, USER and CMD. */
export interface ReplayedStage {
  readonly name: string | undefined;
  readonly root: string;
  workdir: string;
  readonly env: Record<string, string>;
  cmd: string[] | undefined;
}

/** Replays every stage under `root` (one folder per stage); rejects at the first instruction that fails. */
export async function replay(
  stages: readonly Stage[],
  context: { readonly repo: string; readonly files: readonly string[] },
  root: string,
  log: (line: string) => void = () => undefined,
): Promise<ReplayedStage[]> {
  const done: ReplayedStage[] = [];
  for (const [index, stage] of stages.entries()) {
    const state: ReplayedStage = {
      name: stage.name,
      root: join(root, `stage-${index}`),
      workdir: '/',
      env: {},
      cmd: undefined,
    };
    mkdirSync(state.root, { recursive: true });
    for (const instruction of stage.instructions) {
      log(`[${stage.name ?? index}] ${instruction.keyword} ${instruction.args}`);
      if (instruction.keyword === 'RUN') await run(state, instruction.args);
      else apply(state, instruction, context, done);
    }
    done.push(state);
  }
  return done;
}

function apply(
  state: ReplayedStage,
  { keyword, args }: Instruction,
  context: { readonly repo: string; readonly files: readonly string[] },
  done: readonly ReplayedStage[],
): void {
  switch (keyword) {
    case 'WORKDIR':
      state.workdir = posix.resolve(state.workdir, args);
      mkdirSync(hostPath(state, state.workdir), { recursive: true });
      return;
    case 'ENV': {
      const [key = '', ...value] = args.split('=');
      state.env[key] = value.join('=');
      return;
    }
    case 'COPY':
      copy(state, parseCopy(args), context, done);
      return;
    case 'CMD':
      state.cmd = JSON.parse(args) as string[];
      return;
    case 'USER':
    case 'EXPOSE':
      return;
    default:
      throw new Error(`a Dockerfile instruction this replay does not know: ${keyword}`);
  }
}

function hostPath(state: ReplayedStage, path: string): string {
  return join(state.root, posix.resolve(state.workdir, path));
}

function copy(
  state: ReplayedStage,
  { from, sources, dest }: ReturnType<typeof parseCopy>,
  context: { readonly repo: string; readonly files: readonly string[] },
  done: readonly ReplayedStage[],
): void {
  const intoDir = dest.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    if (from !== undefined) {
      const stage = done.find((candidate) => candidate.name === from);
      if (!stage) throw new Error(`COPY --from=${from}: no such stage before this one`);
      const path = join(stage.root, source);
      if (!existsSync(path)) throw new Error(`COPY --from=${from} ${source}: not in that stage`);
      const target =
        intoDir && !statSync(path).isDirectory()
          ? join(hostPath(state, dest), posix.basename(source))
          : hostPath(state, dest);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target, { recursive: true, verbatimSymlinks: true });
      continue;
    }
    const prefix = posix.normalize(source).replace(/\/$/, '');
    const file = context.files.includes(prefix);
    const under = context.files.filter((path) => path.startsWith(`${prefix}/`));
    if (!file && under.length === 0) throw new Error(`COPY ${source}: not in the build context`);
    for (const path of file ? [prefix] : under) {
      const rest = file ? posix.basename(path) : path.slice(prefix.length + 1);
      const target = file && !intoDir ? hostPath(state, dest) : join(hostPath(state, dest), rest);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(context.repo, path), target);
    }
  }
}

// Asynchronous, so that a test runner's worker stays responsive through a long `npm ci`.
function run(state: ReplayedStage, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], {
      cwd: hostPath(state, '.'),
      env: { ...process.env, ...state.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: unknown) => {
      output = (output + String(chunk)).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`RUN ${command} exited ${code}:\n${output.split('\n').slice(-40).join('\n')}`));
    });
  });
}

/** The names of the top-level entries of a folder, or [] when it does not exist. */
export function entries(path: string): string[] {
  return existsSync(path) ? readdirSync(path) : [];
}
