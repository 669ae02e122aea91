import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computerNameProblem,
  NETBIOS_NAME_PATTERN,
  RESERVED_COMPUTER_NAMES,
  RESERVED_DEVICE_NAMES,
} from './computer-name.js';

const pattern = new RegExp(NETBIOS_NAME_PATTERN, 'u');
const CHARS = [...'ABCNOLPTUXabcnolptux0123456789-_. '];

describe('Windows computer names', () => {
  it('the schema pattern and computerNameProblem agree on every name', () => {
    const names = fc.oneof(
      fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 17 }),
      fc.constantFrom(...RESERVED_COMPUTER_NAMES, ...RESERVED_DEVICE_NAMES).map((n) => n.toLowerCase()),
    );
    fc.assert(
      fc.property(names, (name) => pattern.test(name) === (computerNameProblem(name) === undefined)),
      { numRuns: 5000 },
    );
  });

  it('refuses every reserved word and device name in any case, and takes longer names that start with one', () => {
    for (const word of [...RESERVED_COMPUTER_NAMES, ...RESERVED_DEVICE_NAMES]) {
      expect(computerNameProblem(word), word).toBeDefined();
      expect(pattern.test(word.toLowerCase()), word).toBe(false);
      expect(computerNameProblem(`${word}9`), `${word}9`).toBeUndefined();
    }
  });

  it('takes the names of a real fleet', () => {
    for (const name of ['SEA-CAS01', 'EX01', 'a', '1A', 'HUB-2', 'ABCDEFGHIJKLMNO'])
      expect(computerNameProblem(name), name).toBeUndefined();
  });
});
