import { pino } from 'pino';
import { parseAgentArgs } from './cli/args.js';
import { createDriver } from './cli/drivers.js';
import { runAgent } from './cli/run.js';
import { runScriptsCommand } from './cli/scripts.js';

const out = { stdout: process.stdout, stderr: process.stderr };
const parsed = parseAgentArgs(process.argv.slice(2), out);
if ('exitCode' in parsed) {
  process.exitCode = parsed.exitCode;
} else if ('scripts' in parsed) {
  process.exitCode = await runScriptsCommand(parsed.scripts, out);
} else {
  // The only logger root of the process: everything below gets it, or a child of it, passed in.
  const logger = pino({ name: 'exrollout-agent', level: parsed.config.logLevel });
  process.exitCode = await runAgent(parsed.config, { logger, out, signals: process, createDriver });
  // A driver or a stray handle must not keep a stopped agent alive.
  process.exit();
}
