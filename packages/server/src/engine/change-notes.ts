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

// A server that needed its services started (or the KB 944752 remedy) succeeds all the same; the trail says why it
// took longer, so that the operator can check the .exe.config files the remedy changed.
/** Notes verify's remedy or the services it started: facts of the host, whether or not the build is confirmed. */
export function noteServicesStarted(work: Work, name: string, details: Record<string, unknown>): void {
  const started = Array.isArray(details.servicesStarted) ? details.servicesStarted.map(String) : [];
  const remedied = details.remedyKb944752Applied === true;
  if (!remedied && started.length === 0) return;
  const services = started.join(', ') || 'Exchange services';
  if (remedied)
    work.event(
      `agent:${name}`,
      'server.remedied',
      `${name}: ${services} did not start after the install (KB 944752): the remedy set generatePublisherEvidence to false in each service's .exe.config and they started`,
      name,
      { kb: '944752', servicesStarted: started },
    );
  else
    work.event(
      `agent:${name}`,
      'server.services-started',
      `${name}: ${services} were stopped after the install; verify started them`,
      name,
      { servicesStarted: started },
    );
}
