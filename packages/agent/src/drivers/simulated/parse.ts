import { formatPath, type SchemaIssue, schemaIssues, tryParseBuild } from '@exrollout/core';
import { DriverError } from '../../errors.js';
import { SimulatedHost } from './schema.js';
import { suggestField } from './suggest.js';

const BUILD_HINT =
  'must be a four-part build such as 8.1.340.1 or 08.01.0340.001 (the ExSetup.exe file version)';
const HINTS: Readonly<Record<string, string>> = {
  build: BUILD_HINT,
  fqdn: 'must be a DNS name such as cas01.contoso.com',
};

/** A simulated host description that breaks its schema or contradicts itself; `issues` lists every problem. */
export class SimulatedHostError extends DriverError {
  constructor(
    readonly issues: readonly SchemaIssue[],
    source = 'simulated host',
  ) {
    const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
    const lines = issues.map((issue) => `  ${formatPath(issue.path) || '(root)'}: ${issue.message}`);
    super('AGENT_ERR_DRIVER_SIMULATED_HOST_INVALID', `invalid ${source} (${count}):\n${lines.join('\n')}`);
  }
}

/**
 * Checks a simulated host description (parsed JSON) and returns it typed; throws SimulatedHostError listing
 * every problem, each with its path (`behaviour.failStep.code`). `source` names it in the message.
 */
export function parseSimulatedHost(value: unknown, source?: string): SimulatedHost {
  const schemaProblems = schemaIssues(SimulatedHost, value, HINTS)
    .map(explainPackageIssue)
    .map((issue) => suggestField(SimulatedHost, issue));
  if (schemaProblems.length > 0) throw new SimulatedHostError(schemaProblems, source);
  const host = value as SimulatedHost;
  const problems = checkSimulatedHost(host);
  if (problems.length > 0) throw new SimulatedHostError(problems, source);
  return host;
}

/** The rules a schema cannot express: a build of 16-bit parts, a consistent cluster node, no contradictions. */
export function checkSimulatedHost(host: SimulatedHost): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const at = (path: (string | number)[], message: string) => issues.push({ path, message });
  const { server, behaviour = {}, host: facts = {} } = host;
  if (!tryParseBuild(server.build))
    at(['server', 'build'], `${BUILD_HINT} (got ${JSON.stringify(server.build)})`);
  if (server.cluster?.role === 'active' && server.cluster.cms === undefined)
    at(['server', 'cluster', 'cms'], 'the active node must name the clustered mailbox server it hosts');
  if (server.cluster?.role === 'passive' && server.cluster.cms !== undefined)
    at(['server', 'cluster', 'cms'], 'a passive node hosts no clustered mailbox server');
  const contradiction = (knob: string, fact: string, mine: unknown, theirs: unknown) => {
    if (mine !== undefined && theirs !== undefined && mine !== theirs)
      at(['behaviour', knob], `contradicts host.${fact} (${String(theirs)}); give one of them`);
  };
  contradiction('pendingReboot', 'pendingReboot', behaviour.pendingReboot, facts.pendingReboot);
  contradiction('freeDiskMb', 'systemDriveFreeMb', behaviour.freeDiskMb, facts.systemDriveFreeMb);
  return issues;
}

// The generic messages name neither what a `packages` key nor what its value should look like.
function explainPackageIssue(issue: SchemaIssue): SchemaIssue {
  const [root, knob, file] = issue.path;
  if (root !== 'behaviour' || knob !== 'packages' || file === undefined || issue.path.length !== 3)
    return issue;
  const message = issue.message.startsWith('is not a known field')
    ? 'is not an .msp file name such as Exchange2007-KB959241-x64-EN.msp'
    : 'must be the SHA-256 of the file: 64 lower-case hex digits';
  return { path: issue.path, message };
}
