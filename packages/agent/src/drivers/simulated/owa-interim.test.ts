import { describe, expect, it } from 'vitest';
import { casOnRu4, ccrNode, failure, RU4, run, simulate } from './test-fixtures.js';

const IU = 'Interim Update for Exchange Server 2007 SP1 (KB956624)';

describe('backup-owa and restore-owa', () => {
  it('fails OWA_BACKUP_FAILED when the copy fails, and records no backup', async () => {
    const { driver } = simulate(casOnRu4({ owaBackupFails: true }));
    expect((await failure(run(driver, 'backup-owa', {}))).code).toBe('OWA_BACKUP_FAILED');
    expect(driver.state().owaBackup).toBeUndefined();
  });

  it('fails OWA_BACKUP_FAILED on a server without the Client Access role', async () => {
    const { driver } = simulate(ccrNode('SEA-MBX01', 'active'));
    expect((await failure(run(driver, 'backup-owa', {}))).message).toContain('has no Client Access role');
  });

  it('fails OWA_RESTORE_FAILED when there is no backup to restore', async () => {
    const { driver } = simulate(casOnRu4());
    expect((await failure(run(driver, 'restore-owa', {}))).code).toBe('OWA_RESTORE_FAILED');
  });
});

describe('remove-interim-updates', () => {
  const withIu = (...interimUpdates: string[]) => {
    const host = casOnRu4();
    host.server.interimUpdates = interimUpdates;
    return host;
  };

  it('removes the interim updates the plan names and reports them', async () => {
    const { driver } = simulate(withIu(IU));
    await expect(run(driver, 'remove-interim-updates', { interimUpdates: [IU] })).resolves.toEqual({
      build: RU4,
      logPath: 'C:\\ExchangeSetupLogs\\KBinterim-updates.log',
      removed: [IU],
    });
    expect((await driver.collect()).server.interimUpdates).toEqual([]);
    // Nothing left to remove: no msiexec, so no log and no `removed`, as the PowerShell driver reports it.
    await expect(run(driver, 'remove-interim-updates', { interimUpdates: [IU] })).resolves.toEqual({
      build: RU4,
    });
  });

  it('fails IU_REMOVAL_FAILED and removes nothing when msiexec fails', async () => {
    const { driver } = simulate({ ...withIu(IU), behaviour: { iuRemovalFails: true } });
    const error = await failure(run(driver, 'remove-interim-updates', { interimUpdates: [IU] }));
    expect(error).toMatchObject({ code: 'IU_REMOVAL_FAILED', details: { build: RU4 } });
    expect(error.details.removed).toBeUndefined();
    expect(driver.state().server.interimUpdates).toEqual([IU]);
  });

  it('fails IU_REMOVAL_FAILED when an interim update the plan does not name is still installed', async () => {
    const other = 'Interim Update for Exchange Server 2007 SP1 (KB957748)';
    const { driver } = simulate(withIu(IU, other));
    const error = await failure(run(driver, 'remove-interim-updates', { interimUpdates: [IU] }));
    expect(error).toMatchObject({ code: 'IU_REMOVAL_FAILED', details: { removed: [IU] } });
    expect(driver.state().server.interimUpdates).toEqual([other]);
  });
});
