import { describe, expect, it } from 'vitest';
import { UnknownUpdateError } from '../errors.js';
import { findRelease } from '../exchange/identify.js';
import { findUpdate, KB959241, UPDATE_CATALOG } from './catalog.js';

/** The error findUpdate throws for an identifier, or a failure if it throws none. */
function lookupError(idOrKb: string): unknown {
  try {
    findUpdate(idOrKb);
  } catch (error) {
    return error;
  }
  throw new Error(`findUpdate(${JSON.stringify(idOrKb)}) did not throw`);
}

describe('findUpdate', () => {
  it('finds KB 959241 however the administrator writes it', () => {
    for (const id of ['KB959241', 'kb959241', 'Kb959241', '959241', ' KB959241 '])
      expect(findUpdate(id), id).toBe(KB959241);
  });

  it('refuses an update it does not know, with a code to match on and the known ones listed', () => {
    for (const id of ['KB959242', '959240', 'KB', '', 'KB 959241', 'KB959241x', 'RU6']) {
      const error = lookupError(id);
      expect(error, id).toBeInstanceOf(UnknownUpdateError);
      expect(error, id).toMatchObject({ code: 'CORE_ERR_UPDATE_UNKNOWN', input: id, known: ['KB959241'] });
      expect((error as Error).message, id).toContain('KB959241');
    }
  });

  it('quotes what the administrator typed in the error message', () => {
    expect(() => findUpdate('KB123456')).toThrow('unknown update "KB123456"; known updates: KB959241');
  });
});

describe('KB959241 in the update catalog', () => {
  it('is Update Rollup 6 for Exchange 2007 SP1, installing build 8.1.340.1', () => {
    expect(KB959241).toMatchObject({
      id: 'KB959241',
      kb: '959241',
      line: 'SP1',
      rollup: 6,
      targetBuild: '8.1.340.1',
      released: '2009-02-10',
    });
    expect(KB959241.title).toContain('Update Rollup 6');
    expect(KB959241.title).toContain('Service Pack 1');
  });

  it('agrees with the release catalog on the build and KB of SP1 RU6', () => {
    expect(findRelease(KB959241.line, KB959241.rollup)).toMatchObject({
      build: KB959241.targetBuild,
      kb: KB959241.kb,
      released: KB959241.released,
    });
  });

  it('patches the Exchange Server 2007 product {24B2C164-DE66-44FE-B468-A46D9D5E6B31}', () => {
    expect(KB959241.productCode).toBe('{24B2C164-DE66-44FE-B468-A46D9D5E6B31}');
  });

  it('ships one package per architecture, named as on the Download Center', () => {
    expect(KB959241.packages).toEqual([
      { architecture: 'x64', file: 'Exchange2007-KB959241-x64-EN.msp', maxBytes: 2 ** 31 - 1 },
      { architecture: 'x86', file: 'Exchange2007-KB959241-x86-EN.msp', maxBytes: 2 ** 31 - 1 },
    ]);
  });

  it('supersedes SP1 Update Rollups 1 to 5, which is why it is cumulative', () => {
    expect(KB959241.supersedes).toEqual(['945684', '948016', '949870', '952580', '953467']);
    expect([1, 2, 3, 4, 5].map((rollup) => findRelease('SP1', rollup)?.kb)).toEqual(KB959241.supersedes);
  });

  it('lists the fixes of the KB article, including MS09-003 (KB 959239)', () => {
    expect(KB959241.fixes).toEqual(['950675', '955443', '956536', '956624', '957748', '959239']);
  });

  it('is removed through the Add/Remove Programs entry for 959241', () => {
    expect(KB959241.removal).toEqual({ addRemoveProgramsKb: '959241' });
  });

  it('points the operator at KB 944752 (services that do not start after the rollup)', () => {
    expect(KB959241.related.map((entry) => entry.kb)).toContain('944752');
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(KB959241)).toBe(true);
  });

  it('is the only update in the catalog', () => {
    expect(UPDATE_CATALOG).toEqual([KB959241]);
  });
});
