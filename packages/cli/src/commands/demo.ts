import { type Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { checkDemoNumber, runDemo } from '../demo/run.js';

/** Adds `exrollout demo`; its exit code goes to `context.exitCode`. */
export function registerDemo(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description(
      'Start Redis (if none answers), a server and a simulated fleet, run the KB959241 rollout and show it live.',
    )
    .addOption(
      new Option(
        '--servers <n>',
        'simulate a generated fleet of N servers instead of examples/demo-fleet.json',
      ).argParser(Number),
    )
    .option('--scenario <file>', 'a fleet-simulator scenario (a plain inventory file is one)')
    .addOption(new Option('--install-seconds <s>', 'simulated install time').argParser(Number))
    .addOption(new Option('--concurrency <c>', 'servers in flight per wave').default(4).argParser(Number))
    .addOption(
      new Option('--port <port>', 'port of the demo server (0: any free one)')
        .default(8080)
        .argParser(Number),
    )
    .option('--until-done', 'run unattended and exit when the rollout is done (exit 0 if it completed)')
    .option('--then-rollback', 'after it completed, roll the whole rollout back')
    .option('--json', 'print only the final rollout object on stdout; progress goes to stderr')
    .action(
      async (flags: {
        servers?: number;
        scenario?: string;
        installSeconds?: number;
        concurrency: number;
        port: number;
        untilDone?: boolean;
        thenRollback?: boolean;
        json?: boolean;
      }) => {
        checkDemoNumber('--servers', flags.servers, 1, 20_000);
        checkDemoNumber('--install-seconds', flags.installSeconds, 0, 3600);
        checkDemoNumber('--concurrency', flags.concurrency, 1, 1000);
        checkDemoNumber('--port', flags.port, 0, 65535);
        context.exitCode = await runDemo(
          {
            ...(flags.servers !== undefined ? { servers: flags.servers } : {}),
            ...(flags.scenario !== undefined ? { scenario: flags.scenario } : {}),
            ...(flags.installSeconds !== undefined ? { installSeconds: flags.installSeconds } : {}),
            concurrency: flags.concurrency,
            port: flags.port,
            // Kept open for the dashboard only when a person is watching; a script or CI gets its exit code.
            untilDone: flags.untilDone === true || flags.json === true || !context.isTTY,
            thenRollback: flags.thenRollback === true,
            json: flags.json === true,
            tty: context.isTTY,
            columns: context.columns,
          },
          context.out,
          context.env,
        );
      },
    );
}
