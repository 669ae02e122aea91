import { type ExrolloutServer, ListenError, listenOn } from '@exrollout/server';
import { CliError, EXIT } from '../errors.js';

const HOST = '127.0.0.1';

/**
 * Listens on 127.0.0.1:port for the demo. A port in use is not worth stopping a demo for: it takes any free
 * port and says so in one line. Any other failure is one line too, exit code 2.
 */
export async function listenForDemo(
  app: ExrolloutServer['app'],
  port: number,
  say: (line: string) => void,
): Promise<string> {
  try {
    return await listenOn(app, HOST, port);
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    if (error.errno !== 'EADDRINUSE' || port === 0)
      throw new CliError('CLI_ERR_DEMO_LISTEN', `${error.message}; choose another with --port`, EXIT.USAGE);
    const url = await listenOn(app, HOST, 0);
    say(`port ${port} is in use on ${HOST}: the demo server listens on port ${new URL(url).port} instead`);
    return url;
  }
}
