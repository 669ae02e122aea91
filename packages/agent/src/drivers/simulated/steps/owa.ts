import type { StepArgs, StepDetails } from '@exrollout/core';
import type { StepRun } from '../run.js';

const OWA_FOLDER = 'C:\\Program Files\\Microsoft\\Exchange Server\\ClientAccess\\Owa';
// A customised OWA is two changed files here, as on the stub Exchange host: auth\logon.aspx and a theme's logo.
const CUSTOMISED_FILES = 2;

/**
 * @internal Copies the OWA files aside, remembering whether they were customised, before a rollup replaces them.
 * The backup is named after the command, so the same command run again finds it and reports the same path.
 */
export async function backupOwa(run: StepRun, _args: StepArgs['backup-owa']): Promise<StepDetails> {
  await run.work();
  const { server } = run.host.current;
  // A Windows path cannot hold the colons a command id may contain.
  const backupPath = `C:\\exrollout\\backup\\owa\\${run.context.commandId.replace(/:/g, '_')}`;
  if (!server.roles.includes('ClientAccess'))
    run.fail('OWA_BACKUP_FAILED', `${run.name} has no Client Access role, so no ${OWA_FOLDER} to back up`);
  if (run.host.behaviour.owaBackupFails)
    run.fail(
      'OWA_BACKUP_FAILED',
      `copying ${OWA_FOLDER} to ${backupPath} on ${run.name} failed: access is denied`,
    );
  const owaCustomized = server.owaCustomized === true;
  const previous = run.host.current.owaBackup;
  // Run again with the same command id, the backup is already there: nothing changes.
  if (previous?.path !== backupPath || previous.owaCustomized !== owaCustomized)
    run.host.change((state) => {
      state.owaBackup = { path: backupPath, owaCustomized };
    });
  return { build: run.host.current.server.build, backupPath, owaFiles: owaCustomized ? CUSTOMISED_FILES : 0 };
}

/**
 * @internal Copies the backed-up OWA files back, so OWA is customised again exactly when it was before.
 * Repeatable: run again, it finds the files already back and changes nothing.
 */
export async function restoreOwa(run: StepRun, _args: StepArgs['restore-owa']): Promise<StepDetails> {
  await run.work();
  const backup = run.host.current.owaBackup;
  if (!backup)
    run.fail('OWA_RESTORE_FAILED', `${run.name} has no OWA backup to restore; backup-owa did not run here`);
  const now = run.host.current.server.owaCustomized;
  // A server described without owaCustomized keeps it unset when the backup was not customised; run again,
  // the files are already back and nothing changes.
  if ((backup.owaCustomized || now !== undefined) && now !== backup.owaCustomized)
    run.host.change((state) => {
      state.server.owaCustomized = backup.owaCustomized;
    });
  return {
    build: run.host.current.server.build,
    backupPath: backup.path,
    ...(backup.owaCustomized ? { owaFiles: CUSTOMISED_FILES } : {}),
  };
}
