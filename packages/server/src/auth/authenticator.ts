import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthRateLimitedError, ServerError, tokenRefused, unauthorized } from '../errors.js';
import type { OperatorToken, TokenStore } from '../stores/token-store.js';
import { type AuthAttempt, type AuthFailureLimiter, credentialId } from './auth-limiter.js';
import { bearerSecret } from './secrets.js';

/** The server name an agent credential speaks for, and the credential's SHA-256. */
export interface AgentIdentity {
  readonly name: string;
  readonly credentialHash: string;
}

/**
 * Checks the secrets requests present: operator tokens, agent credentials, enrolment tokens. A failure is counted
 * against the client address, and an address over the limit gets 429 with Retry-After, even with a good secret,
 * so that a guess cannot be confirmed. A request that presents no secret at all guesses nothing and is not counted.
 */
export class Authenticator {
  constructor(
    readonly tokens: TokenStore,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  /** The operator token of the request's `Authorization: Bearer`; throws 401, saying whether one was refused (or 429). */
  async operator(request: FastifyRequest, reply: FastifyReply): Promise<OperatorToken> {
    const found = await this.check(request, reply, () => {
      const secret = bearerSecret(request.headers.authorization, 'exo');
      return secret ? this.tokens.operatorForToken(secret) : Promise.resolve(undefined);
    });
    if (found) return found;
    throw request.headers.authorization === undefined ? unauthorized() : tokenRefused();
  }

  /** The agent behind the request's `Authorization: Bearer` credential; throws 401 (or 429). */
  async agent(request: FastifyRequest, reply: FastifyReply): Promise<AgentIdentity> {
    const found = await this.check(request, reply, () => {
      const secret = bearerSecret(request.headers.authorization, 'exa');
      return secret ? this.tokens.agentForCredential(secret) : Promise.resolve(undefined);
    });
    if (!found) throw unauthorized('an agent credential is required: Authorization: Bearer <credential>');
    return found;
  }

  /** Trades an enrolment token for a credential (TokenStore.enrol); an invalid token counts as a failure. */
  async enrol(
    request: FastifyRequest,
    reply: FastifyReply,
    token: string,
    name: string,
  ): Promise<{ credential: string; replacedCredentialHash?: string }> {
    return this.withRetryAfter(reply, async () => {
      // Checked before, not beside, the enrolment: a refused address must not use up a token.
      const attempt = { address: request.ip, credentialId: credentialId(token) };
      await this.limiter.assertAllowed(attempt);
      try {
        return await this.tokens.enrol(token, name);
      } catch (error) {
        if (error instanceof ServerError && error.code === 'SRV_ERR_ENROL_TOKEN_INVALID')
          await this.recordFailure(request, attempt);
        throw error;
      }
    });
  }

  private check<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    lookup: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const presented = request.headers.authorization;
    if (presented === undefined) return Promise.resolve(undefined);
    const attempt = { address: request.ip, credentialId: credentialId(presented) };
    return this.withRetryAfter(reply, async () => {
      // Side by side, so that a good secret waits no longer than one Redis round trip.
      const [, found] = await Promise.all([this.limiter.assertAllowed(attempt), lookup()]);
      if (found === undefined) await this.recordFailure(request, attempt);
      return found;
    });
  }

  private async recordFailure(request: FastifyRequest, attempt: AuthAttempt): Promise<void> {
    try {
      await this.limiter.recordFailure(attempt);
    } catch (error) {
      if (error instanceof AuthRateLimitedError)
        request.log.warn(
          {
            client: request.ip,
            credentialId: attempt.credentialId,
            retryAfterSeconds: error.retryAfterSeconds,
          },
          'too many failed authentications: refused',
        );
      throw error;
    }
  }

  private async withRetryAfter<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AuthRateLimitedError) reply.header('retry-after', String(error.retryAfterSeconds));
      throw error;
    }
  }
}
