import { delimiter, dirname } from 'node:path';
import { CliError } from '../packages/cli/src/errors.js';
import {
  CHROMIUM,
  executable,
  findOnPath,
  findOrInstall,
  findOrInstallPwsh,
  REDIS_SERVER,
  redisAnswers,
  startRedisServer,
} from '../packages/cli/src/setup/index.js';

// Set to 1, the preflight installs nothing and only says what is missing.
const NO_INSTALL = 'EXR_TEST_NO_INSTALL';
const CHROMIUM_PATH = '/usr/bin/chromium';
const say = (line: string) => process.stderr.write(`preflight: ${line}\n`);

/**
 * vitest globalSetup, before any test: finds or installs redis-server, Chromium and pwsh (apt-get or dotnet, as
 * the demo does), puts redis-server and pwsh on the PATH of every test process (and pwsh's path in EXR_PWSH),
 * and makes sure a Redis answers at REDIS_URL (default 127.0.0.1:6379, started here when nothing does). What it
 * cannot do stops the run at once with one line that says what to install, before a test fails halfway.
 */
export default async function preflight(): Promise<(() => Promise<void>) | undefined> {
  // vitest runs a globalSetup for the root and again for each project; the first does the work for all.
  if (process.env.EXR_PREFLIGHT === 'done') return undefined;
  process.env.EXR_PREFLIGHT = 'done';
  try {
    await tools();
    return await testRedis();
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    process.stderr.write(`npm test: ${error.message}\n`);
    process.exit(2);
  }
}

async function tools(): Promise<void> {
  const env = process.env;
  const redisServer = await findOrInstall({
    name: 'redis-server',
    needed: REDIS_SERVER,
    find: () => findOnPath('redis-server', env),
    service: 'redis-server',
    env,
    disableVar: NO_INSTALL,
    code: 'CLI_ERR_TOOL_MISSING',
    why: 'the tests start redis-server processes and there is none on the PATH',
    say,
  });
  onPath(dirname(redisServer));
  await findOrInstall({
    name: 'chromium',
    needed: CHROMIUM,
    find: () => executable(CHROMIUM_PATH),
    env,
    disableVar: NO_INSTALL,
    code: 'CLI_ERR_TOOL_MISSING',
    why: `the dashboard's browser test drives ${CHROMIUM_PATH}, which is missing`,
    say,
  });
  if (!executable(CHROMIUM_PATH))
    throw new CliError(
      'CLI_ERR_TOOL_MISSING',
      `chromium installed, but not as ${CHROMIUM_PATH}: use Debian's chromium`,
    );
  const pwsh = await findOrInstallPwsh(env, NO_INSTALL, say);
  onPath(dirname(pwsh));
  process.env.EXR_PWSH = pwsh;
}

async function testRedis(): Promise<(() => Promise<void>) | undefined> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(url)) return undefined;
  if (process.env.REDIS_URL)
    throw new CliError(
      'CLI_ERR_TOOL_MISSING',
      `no Redis answers at REDIS_URL (${url.replace(/\/\/[^@/]*@/, '//***@')}): start it, or unset REDIS_URL to let the tests start one`,
    );
  const redis = await startRedisServer(findOnPath('redis-server', process.env) ?? 'redis-server', {
    port: 6379,
  });
  say(
    `no Redis answered at ${url}: started redis-server on 127.0.0.1:6379 for this run (data in ${redis.dir})`,
  );
  return () => redis.stop();
}

function onPath(dir: string): void {
  const path = process.env.PATH ?? '';
  if (!path.split(delimiter).includes(dir)) process.env.PATH = path ? `${dir}${delimiter}${path}` : dir;
}
