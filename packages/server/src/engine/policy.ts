import { formatPath, isKnownTimeZone, RolloutPolicy, schemaIssues } from '@exrollout/core';
import Value from 'typebox/value';
import { ServerError } from '../errors.js';

/** Fills a policy's defaults and checks it; throws SRV_ERR_VALIDATION naming every problem. */
export function parsePolicy(input: unknown): RolloutPolicy {
  // structuredClone, not Value.Clone: TypeBox's clone drops keys named constructor and prototype, which would
  // let such an unknown key through unrefused.
  const withDefaults = Value.Default(RolloutPolicy, structuredClone(input ?? {}));
  const problems = schemaIssues(RolloutPolicy, withDefaults).map(
    (issue) => `policy.${formatPath(issue.path)}: ${issue.message}`,
  );
  const policy = withDefaults as RolloutPolicy;
  if (problems.length === 0)
    for (const [index, window] of policy.maintenanceWindows.entries())
      if (!isKnownTimeZone(window.timeZone))
        problems.push(`policy.maintenanceWindows[${index}].timeZone: unknown time zone "${window.timeZone}"`);
  if (problems.length > 0) throw new ServerError('SRV_ERR_VALIDATION', 400, problems.join('; '));
  return policy;
}
