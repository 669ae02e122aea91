import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** The kinds of secret the server issues, by prefix: agent credential, operator token, enrolment token. */
export type SecretKind = 'exa' | 'exo' | 'exe';

/** A new secret of 256 random bits, prefixed by its kind so that a leaked one is recognisable. */
export function newSecret(kind: SecretKind): string {
  return `${kind}_${randomBytes(32).toString('base64url')}`;
}

/** The SHA-256 under which a secret is stored; the secret itself is never stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A public id for a token, safe to show and log: a random UUID (122 random bits), so that two never collide. */
export function newTokenId(): string {
  return randomUUID();
}

/** The bearer secret of an Authorization header, if it has the expected kind. */
export function bearerSecret(header: string | undefined, kind: SecretKind): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  const secret = match?.[1];
  return secret?.startsWith(`${kind}_`) && secret.length < 200 ? secret : undefined;
}
