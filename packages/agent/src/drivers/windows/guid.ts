const GUID = /^\{([0-9A-Fa-f]{8})-([0-9A-Fa-f]{4})-([0-9A-Fa-f]{4})-([0-9A-Fa-f]{4})-([0-9A-Fa-f]{12})\}$/;

/**
 * Where each hex digit of a GUID (its 32 digits, braces and dashes removed) goes in Windows Installer's packed
 * form: the first three groups reversed, then each byte's two digits swapped. The permutation is its own
 * inverse, so the scripts unpack patch codes with the same table.
 */
export const PACKED_GUID_ORDER: readonly number[] = [
  7, 6, 5, 4, 3, 2, 1, 0, 11, 10, 9, 8, 15, 14, 13, 12, 17, 16, 19, 18, 21, 20, 23, 22, 25, 24, 27, 26, 29,
  28, 31, 30,
];

/**
 * The packed form Windows Installer uses for registry key names: `{24B2C164-DE66-44FE-B468-A46D9D5E6B31}` packs
 * to `461C2B4266EDEF444B864AD6D9E5B613`. Throws on anything that is not a braced GUID.
 */
export function packGuid(guid: string): string {
  if (!GUID.test(guid)) throw new TypeError(`not a braced GUID: ${JSON.stringify(guid)}`);
  const digits = guid.replace(/[{}-]/g, '').toUpperCase();
  return PACKED_GUID_ORDER.map((index) => digits[index] ?? '').join('');
}
