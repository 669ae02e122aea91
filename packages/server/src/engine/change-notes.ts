import type { PlanStep } from '@exrollout/core';
import type { Work } from './work.js';

/** The trail events that say what a step changed on a server, beside its step-succeeded event. */
export const CHANGE_NOTE_TYPES = [
  'server.interim-updates-removed',
  'server.owa-backed-up',
  'server.owa-restored',
  'server.restart-required',
] as const;

/**
 * Records what a successful step changed on a server, so that the trail answers "what did it do to my server":
 * interim updates removed (which a rollback does not put back), OWA files saved and put back, and an installer
 * that asks for a restart.
 */
export function noteChanges(
  work: Work,
  name: string,
  step: PlanStep | undefined,
  details: Record<string, unknown>,
): void {
  const actor = `agent:${name}`;
  const removed = Array.isArray(details.removed) ? details.removed.map(String) : [];
  const backup = typeof details.backupPath === 'string' ? details.backupPath : undefined;
  if (step === 'remove-interim-updates' && removed.length > 0)
    work.event(
      actor,
      'server.interim-updates-removed',
      `${name}: removed ${removed.length} interim update(s) before the rollup: ${removed.join(', ')}; a rollback does not put them back`,
      name,
      { removed },
    );
  if (step === 'backup-owa' && backup)
    work.event(actor, 'server.owa-backed-up', `${name}: OWA files backed up to ${backup}`, name, {
      backupPath: backup,
    });
  if (step === 'restore-owa' && backup)
    work.event(actor, 'server.owa-restored', `${name}: customised OWA files restored from ${backup}`, name, {
      backupPath: backup,
    });
  if ((step === 'install' || step === 'uninstall') && details.rebootRequired === true)
    work.event(
      actor,
      'server.restart-required',
      `${name}: msiexec asks for a restart (3010 or 1641) after ${step}; exrollout does not restart servers yet: restart it in the maintenance window`,
      name,
      { step },
    );
}
