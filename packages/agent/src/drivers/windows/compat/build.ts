import type { ConstructKind, ConstructMatch, Ps3Construct } from './types.js';

type Entry = Omit<Ps3Construct, 'kind'>;
type MemberMatch = Omit<Extract<ConstructMatch, { by: 'member' }>, 'by'>;

/** An entry of the given kind, frozen. */
export const entry =
  (kind: ConstructKind) =>
  (fields: Entry): Ps3Construct =>
    Object.freeze({ kind, ...fields });

/** A command (with its aliases); the sample calls the first name. */
export const command = (
  since: string,
  names: readonly string[],
  why: string,
  name = names[0] ?? '',
): Ps3Construct =>
  entry('command')({ name, since, why, match: { by: 'command', names }, sample: `${names[0]} x` });

/** An operator, found by its token kinds. */
export const operator = (
  since: string,
  name: string,
  kinds: readonly string[],
  why: string,
  sample: string,
) => entry('operator')({ name, since, why, match: { by: 'token', kinds }, sample });

/** A type accelerator or .NET type, found wherever a type is named. */
export const type = (since: string, name: string, names: readonly string[], why: string, sample: string) =>
  entry('type')({ name, since, why, match: { by: 'type', names }, sample });

/** A member (method or property), static or on an instance. */
export const member = (since: string, name: string, match: MemberMatch, why: string, sample: string) =>
  entry('member')({ name, since, why, match: { by: 'member', ...match }, sample });

/** An automatic or preference variable; the first name names the entry and its sample. */
export const variable = (since: string, names: readonly string[], why: string) =>
  entry('variable')({
    name: `$${names[0]}`,
    since,
    why,
    match: { by: 'variable', names },
    sample: `$${names[0]}`,
  });
