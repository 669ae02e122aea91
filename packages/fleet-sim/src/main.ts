import { destination, pino } from 'pino';
import { parseFleetSimArgs } from './cli/args.js';
import { runFleetSim } from './cli/run.js';

const out = { stdout: process.stdout, stderr: process.stderr };
const parsed = parseFleetSimArgs(process.argv.slice(2), out);
if ('exitCode' in parsed) {
  process.exitCode = parsed.exitCode;
} else {
  // The only logger root of the process; stdout is kept for the summary, so the logs go to stderr.
  const logger = pino({ name: 'exrollout-fleet-sim', level: parsed.config.logLevel }, destination(2));
  process.exitCode = await runFleetSim(parsed.config, { logger, out, signals: process });
}
