import type { PlanStep } from '@exrollout/core';
import type { Work } from './work.js';

/** The trail events that say what a step changed on a server, beside its step-succeeded event. */
export const CHANGE_NOTE_TYPES = [
  'server.interim-updates-removed',
  'server.owa-backed-up',
  'server.owa-restored',
  'server.restart-required',
  'server.restarted',
  'server.crl-check-disabled',
  'server.crl-check-restored',
  'server.hooks-ran',
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
  const files = typeof details.owaFiles === 'number' ? ` (${details.owaFiles} files)` : '';
  const count = typeof details.owaFiles === 'number' ? { owaFiles: details.owaFiles } : {};
  if (step === 'remove-interim-updates' && removed.length > 0)
    work.event(
      actor,
      'server.interim-updates-removed',
      `${name}: removed ${removed.length} interim update(s) before the rollup: ${removed.join(', ')}; a rollback does not put them back`,
      name,
      { removed },
    );
  if (step === 'backup-owa' && backup)
    work.event(actor, 'server.owa-backed-up', `${name}: OWA files backed up to ${backup}${files}`, name, {
      backupPath: backup,
      ...count,
    });
  if (step === 'restore-owa' && backup)
    work.event(
      actor,
      'server.owa-restored',
      `${name}: customised OWA files restored from ${backup}${files}`,
      name,
      { backupPath: backup, ...count },
    );
  if ((step === 'install' || step === 'uninstall') && details.rebootRequired === true)
    work.event(
      actor,
      'server.restart-required',
      `${name}: msiexec asks for a restart (3010 or 1641) after ${step}; ${
        work.meta.policy.restart === 'never'
          ? 'the policy says restart: never: restart it by hand in the maintenance window'
          : 'the restart step restarts it'
      }`,
      name,
      { step },
    );
  if (step === 'restart' && typeof details.restartedAt === 'string')
    work.event(
      actor,
      'server.restarted',
      `${name}: restarted; Windows booted at ${details.restartedAt}`,
      name,
      {
        restartedAt: details.restartedAt,
      },
    );
  if (step === 'install' || step === 'uninstall') noteInstallEnvironment(work, name, details);
}

/**
 * Notes what an install changed around msiexec, whatever its outcome: the revocation check turned off and put
 * back, and the administrator's hooks that ran (an antivirus disabled and enabled again).
 */
export function noteInstallEnvironment(work: Work, name: string, details: Record<string, unknown>): void {
  const actor = `agent:${name}`;
  const crl = details.crlCheck as { previous?: unknown; restored?: unknown } | undefined;
  if (crl && typeof crl.previous === 'string') {
    work.event(
      actor,
      'server.crl-check-disabled',
      `${name}: the publisher certificate revocation check was turned off for msiexec (it was ${crl.previous})`,
      name,
      { previous: crl.previous },
    );
    work.event(
      actor,
      'server.crl-check-restored',
      crl.restored === true
        ? `${name}: the publisher certificate revocation check is back to ${crl.previous}`
        : `${name}: the revocation check could NOT be put back to ${crl.previous}: set it by hand (Internet Options, Advanced, "Check for publisher's certificate revocation")`,
      name,
      { previous: crl.previous, restored: crl.restored === true },
    );
  }
  const hooks = Array.isArray(details.hooksRun) ? details.hooksRun.map(String) : [];
  if (hooks.length > 0)
    work.event(actor, 'server.hooks-ran', `${name}: hooks ran around msiexec: ${hooks.join(', ')}`, name, {
      hooks,
    });
}

// A server that needed its services started (or the KB 944752 remedy) succeeds all the same; the trail says why it
// took longer, so that the operator can check the .exe.config files the remedy changed.
/** Notes verify's remedy or the services it started: facts of the host, whether or not the build is confirmed. */
export function noteServicesStarted(work: Work, name: string, details: Record<string, unknown>): void {
  const started = Array.isArray(details.servicesStarted) ? details.servicesStarted.map(String) : [];
  const remedied = details.remedyKb944752Applied === true;
  const configs = Array.isArray(details.remedyFiles) ? details.remedyFiles.map(String) : [];
  if (!remedied && started.length === 0) return;
  const services = started.join(', ') || 'Exchange services';
  if (remedied)
    work.event(
      `agent:${name}`,
      'server.remedied',
      `${name}: ${services} did not start after the install (KB 944752): the remedy set generatePublisherEvidence to false in ${
        configs.length > 0 ? configs.join(', ') : "each service's .exe.config"
      } and they started`,
      name,
      { kb: '944752', servicesStarted: started, files: configs },
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
