/** A service-pack line of Exchange Server 2007: each has its own, independent rollup series. */
export type ExchangeLine = 'RTM' | 'SP1' | 'SP2' | 'SP3';

/** The lines in release order, with the major.minor of their builds. */
export const EXCHANGE_2007_LINES: readonly { readonly line: ExchangeLine; readonly minor: number }[] = [
  { line: 'RTM', minor: 0 },
  { line: 'SP1', minor: 1 },
  { line: 'SP2', minor: 2 },
  { line: 'SP3', minor: 3 },
];

/** The major version of every Exchange 2007 build. */
export const EXCHANGE_2007_MAJOR = 8;

/** One released build of Exchange 2007: a service pack (rollup 0) or one of its update rollups. */
export interface ExchangeRelease {
  readonly line: ExchangeLine;
  /** 0 for the service pack (or RTM) itself, n for Update Rollup n. */
  readonly rollup: number;
  /** Re-release of the same rollup (SP3 RU3 v2, RU8 v2/v3); 1 for the first release. */
  readonly revision: number;
  /** ExSetup.exe file version, short form. */
  readonly build: string;
  /** Release date, ISO 8601 (a month only, `2015-12`, where the source gives no day). */
  readonly released: string;
  /** Knowledge Base article, where a cited source confirms it. */
  readonly kb?: string;
}

const release = (
  line: ExchangeLine,
  rollup: number,
  build: string,
  released: string,
  extra: { kb?: string; revision?: number } = {},
): ExchangeRelease => ({
  line,
  rollup,
  revision: extra.revision ?? 1,
  build,
  released,
  ...(extra.kb ? { kb: extra.kb } : {}),
});

// Builds: reference part 1 (S1, S2); dates: S1. KB numbers only where a cited source confirms them.
/** Every Exchange 2007 release the catalog knows, oldest first within each line. */
export const EXCHANGE_2007_RELEASES: readonly ExchangeRelease[] = [
  release('RTM', 0, '8.0.685.25', '2007-03-08'),
  release('RTM', 1, '8.0.708.3', '2007-04-17'),
  release('RTM', 2, '8.0.711.2', '2007-05-08'),
  release('RTM', 3, '8.0.730.1', '2007-06-28'),
  release('RTM', 4, '8.0.744.0', '2007-08-23'),
  release('RTM', 5, '8.0.754.0', '2007-10-25'),
  release('RTM', 6, '8.0.783.2', '2008-02-21'),
  release('RTM', 7, '8.0.813.0', '2008-07-08'),
  release('SP1', 0, '8.1.240.6', '2007-11-29'),
  release('SP1', 1, '8.1.263.1', '2008-02-28', { kb: '945684' }),
  release('SP1', 2, '8.1.278.2', '2008-05-09', { kb: '948016' }),
  release('SP1', 3, '8.1.291.2', '2008-07-08', { kb: '949870' }),
  release('SP1', 4, '8.1.311.3', '2008-10-07', { kb: '952580' }),
  release('SP1', 5, '8.1.336.1', '2008-11-20', { kb: '953467' }),
  release('SP1', 6, '8.1.340.1', '2009-02-10', { kb: '959241' }),
  release('SP1', 7, '8.1.359.2', '2009-03-18'),
  release('SP1', 8, '8.1.375.2', '2009-05-19'),
  release('SP1', 9, '8.1.393.1', '2009-07-16'),
  release('SP1', 10, '8.1.436.0', '2010-04-13'),
  release('SP2', 0, '8.2.176.2', '2009-08-24'),
  release('SP2', 1, '8.2.217.3', '2009-11-19'),
  release('SP2', 2, '8.2.234.1', '2010-01-22'),
  release('SP2', 3, '8.2.247.2', '2010-03-17'),
  release('SP2', 4, '8.2.254.0', '2010-04-09'),
  release('SP2', 5, '8.2.305.3', '2010-12-07'),
  release('SP3', 0, '8.3.83.6', '2010-06-07'),
  release('SP3', 1, '8.3.106.2', '2010-09-09'),
  release('SP3', 2, '8.3.137.3', '2010-12-10'),
  release('SP3', 3, '8.3.159.0', '2011-02'),
  release('SP3', 3, '8.3.159.2', '2011-03-30', { revision: 2 }),
  release('SP3', 4, '8.3.192.1', '2011-05-28'),
  release('SP3', 5, '8.3.213.1', '2011-09-21'),
  release('SP3', 6, '8.3.245.2', '2012-01-26'),
  release('SP3', 7, '8.3.264.0', '2012-04-16'),
  release('SP3', 8, '8.3.279.3', '2012-08-13'),
  release('SP3', 8, '8.3.279.5', '2012-10-09', { revision: 2 }),
  release('SP3', 8, '8.3.279.6', '2012-11-13', { revision: 3 }),
  release('SP3', 9, '8.3.297.2', '2012-12-10'),
  release('SP3', 10, '8.3.298.3', '2013-02-11'),
  release('SP3', 11, '8.3.327.1', '2013-08-13'),
  release('SP3', 12, '8.3.342.4', '2013-12-09'),
  release('SP3', 13, '8.3.348.2', '2014-02-24'),
  release('SP3', 14, '8.3.379.2', '2014-08-26'),
  release('SP3', 15, '8.3.389.2', '2014-12-09'),
  release('SP3', 16, '8.3.406.0', '2015-03-17'),
  release('SP3', 17, '8.3.417.1', '2015-06-17'),
  release('SP3', 18, '8.3.445.0', '2015-12'),
  release('SP3', 19, '8.3.459.0', '2016-03-15'),
  release('SP3', 20, '8.3.468.0', '2016-06-21'),
  release('SP3', 21, '8.3.485.1', '2016-09-20'),
  release('SP3', 22, '8.3.502.0', '2016-12-13'),
  release('SP3', 23, '8.3.517.0', '2017-03-21'),
];
