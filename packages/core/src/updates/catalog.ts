import { UnknownUpdateError } from '../errors.js';
import type { ExchangeLine } from '../exchange/releases.js';

/** One Windows Installer patch file of an update, per processor architecture. */
export interface UpdatePackage {
  readonly architecture: 'x64' | 'x86';
  readonly file: string;
  /** The largest file accepted as this package: Windows Installer reads no package of 2 GiB or more. */
  readonly maxBytes: number;
}

/** The size limit of a Windows Installer package (2 GiB less one byte). */
const MSI_MAX_BYTES = 2 ** 31 - 1;

/** An update rollup exrollout can deploy: everything the planner and the agents need, as data. */
export interface UpdateRollup {
  /** Identifier used on the command line and in the API, `KB959241`. */
  readonly id: string;
  /** Knowledge Base number, `959241`. */
  readonly kb: string;
  readonly title: string;
  /** The only line the update applies to; servers on other lines are excluded. */
  readonly line: ExchangeLine;
  readonly rollup: number;
  /** ExSetup.exe file version once installed. */
  readonly targetBuild: string;
  readonly released: string;
  /** KB numbers of the earlier rollups of the same line this one supersedes (it is cumulative). */
  readonly supersedes: readonly string[];
  /** KB numbers of the problems it fixes. */
  readonly fixes: readonly string[];
  /** Windows Installer product code of Exchange Server 2007 ("Version 8"), whose patch this is. */
  readonly productCode: string;
  readonly packages: readonly UpdatePackage[];
  /** How to remove it: the Add/Remove Programs entry is named by this KB number. */
  readonly removal: { readonly addRemoveProgramsKb: string };
  /** Other Knowledge Base articles an operator should know of while deploying it. */
  readonly related: readonly { readonly kb: string; readonly why: string }[];
}

/** Update Rollup 6 for Exchange Server 2007 SP1 (KB 959241), from the KB article and reference part 0-2. */
export const KB959241: UpdateRollup = Object.freeze<UpdateRollup>({
  id: 'KB959241',
  kb: '959241',
  title: 'Update Rollup 6 for Exchange Server 2007 Service Pack 1',
  line: 'SP1',
  rollup: 6,
  targetBuild: '8.1.340.1',
  released: '2009-02-10',
  supersedes: ['945684', '948016', '949870', '952580', '953467'],
  fixes: ['950675', '955443', '956536', '956624', '957748', '959239'],
  productCode: '{24B2C164-DE66-44FE-B468-A46D9D5E6B31}',
  packages: [
    { architecture: 'x64', file: 'Exchange2007-KB959241-x64-EN.msp', maxBytes: MSI_MAX_BYTES },
    { architecture: 'x86', file: 'Exchange2007-KB959241-x86-EN.msp', maxBytes: MSI_MAX_BYTES },
  ],
  removal: { addRemoveProgramsKb: '959241' },
  related: [
    { kb: '944752', why: 'managed services may not start after the rollup when the CRL cannot be reached' },
    { kb: '937052', why: 'the RTM rollup series, separate from the SP1 series' },
  ],
});

/** Every update exrollout can deploy, by id. */
export const UPDATE_CATALOG: readonly UpdateRollup[] = [KB959241];

/** Finds an update by `KB959241`, `kb959241` or `959241`; throws UnknownUpdateError otherwise. */
export function findUpdate(idOrKb: string): UpdateRollup {
  const kb = idOrKb.trim().replace(/^kb/i, '');
  const update = UPDATE_CATALOG.find((entry) => entry.kb === kb);
  if (!update)
    throw new UnknownUpdateError(
      idOrKb,
      UPDATE_CATALOG.map((entry) => entry.id),
    );
  return update;
}
