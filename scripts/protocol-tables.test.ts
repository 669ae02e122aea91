import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_DOC, protocolTables, withTables } from './protocol-tables.js';

/** The table under `#### heading`, up to the next heading. */
function section(tables: string, heading: string): string {
  const start = tables.indexOf(`\n#### ${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const next = tables.indexOf('\n###', start + 1);
  return tables.slice(start, next < 0 ? undefined : next);
}

describe('docs/protocol.md', () => {
  it('holds the tables the protocol schemas give (regenerate: npx vite-node scripts/write-protocol-tables.ts)', () => {
    const page = readFileSync(PROTOCOL_DOC, 'utf8');
    expect(page).toBe(withTables(page, protocolTables()));
  });

  it('documents what an agent must send: step and finishedAt, the drivers and modes, the host limits', () => {
    const tables = protocolTables();
    const result = section(tables, 'STEP_RESULT');
    expect(result).toMatch(/\| `step` \| one of `stage`, `precheck`, .*`uninstall` \| yes \|/);
    expect(result).toMatch(
      /\| `finishedAt` \| string, at most 40 characters, date-time \(ISO 8601\) \| yes \|/,
    );
    expect(section(tables, 'STEP_PROGRESS')).toMatch(/\| `step` \| one of `stage`, `precheck`/);
    const hello = section(tables, 'HELLO');
    expect(hello).toContain('| `driver` | one of `powershell`, `simulated` | yes |');
    expect(hello).toContain('| `mode` | one of `local`, `remote` | no |');
    expect(tables).toContain('| `systemDriveFreeMb` | integer, ≥ 0 | no |');
    expect(section(tables, 'uninstall')).toContain('| `productCode` |');
    expect(tables).toContain(
      '| `servicesStopped` | array, at most 100 items; each: string, at most 128 characters | no | verify:',
    );
  });
});
