import type { Redis } from 'ioredis';
import type { Role } from '../auth/roles.js';
import { hashSecret, newSecret, newTokenId } from '../auth/secrets.js';
import { enrolNameTaken, enrolTokenInvalid } from '../errors.js';
import type { RedisKeys } from '../redis-keys.js';

/** An operator token as listed: never its secret. */
export interface OperatorToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
}

/** A newly issued enrolment token, shown once. */
export interface IssuedEnrolmentToken {
  readonly id: string;
  readonly token: string;
  readonly expiresAt: string;
  readonly uses: number;
  readonly reenrol: boolean;
}

// Consumes one use of an enrolment token and binds a server name to a new credential, atomically, so that two
// agents racing for one token or one name cannot both win.
const ENROL_SCRIPT = `
local token, agent, newCred = KEYS[1], KEYS[2], KEYS[3]
local credPrefix, agentsSet = ARGV[1], ARGV[2]
local name, credHash, now = ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', token) == 0 then return 'TOKEN_INVALID' end
if tonumber(redis.call('HGET', token, 'usesLeft') or '0') <= 0 then return 'TOKEN_INVALID' end
local previous = redis.call('HGET', agent, 'credHash')
if previous and redis.call('HGET', token, 'reenrol') ~= '1' then return 'NAME_TAKEN' end
if previous then redis.call('DEL', credPrefix .. previous) end
redis.call('HINCRBY', token, 'usesLeft', -1)
redis.call('HSET', agent, 'name', name, 'credHash', credHash, 'enrolledAt', now, 'tokenId', redis.call('HGET', token, 'id'))
redis.call('SADD', agentsSet, string.lower(name))
redis.call('SET', newCred, name)
return previous or 'OK'
`;

/** Enrolment tokens, agent credentials and operator tokens; every secret is stored as its SHA-256 only. */
export class TokenStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Issues a one-time (or N-time) enrolment token that expires after `ttlSeconds`. */
  async createEnrolmentToken(options: {
    ttlSeconds: number;
    uses: number;
    reenrol: boolean;
    createdBy: string;
  }): Promise<IssuedEnrolmentToken> {
    const token = newSecret('exe');
    const id = newTokenId();
    const expiresAt = new Date(Date.now() + options.ttlSeconds * 1000);
    const key = this.keys.enrolToken(hashSecret(token));
    await this.redis
      .multi()
      .hset(key, {
        id,
        usesLeft: options.uses,
        reenrol: options.reenrol ? '1' : '0',
        createdBy: options.createdBy,
        expiresAt: expiresAt.toISOString(),
      })
      .pexpireat(key, expiresAt.getTime())
      .exec();
    return { id, token, expiresAt: expiresAt.toISOString(), uses: options.uses, reenrol: options.reenrol };
  }

  /**
   * Trades an enrolment token for a new agent credential bound to `name`. Returns the credential and, on a
   * re-enrolment, the SHA-256 of the credential it replaced (whose connection must be closed).
   */
  async enrol(token: string, name: string): Promise<{ credential: string; replacedCredentialHash?: string }> {
    const credential = newSecret('exa');
    const credHash = hashSecret(credential);
    const result = await this.redis.eval(
      ENROL_SCRIPT,
      3,
      this.keys.enrolToken(hashSecret(token)),
      this.keys.agent(name),
      this.keys.agentCredential(credHash),
      this.keys.agentCredential(''),
      this.keys.agents,
      name,
      credHash,
      new Date().toISOString(),
    );
    if (result === 'TOKEN_INVALID') throw enrolTokenInvalid();
    if (result === 'NAME_TAKEN') throw enrolNameTaken(name);
    return { credential, ...(result !== 'OK' ? { replacedCredentialHash: String(result) } : {}) };
  }

  /** The server name an agent credential speaks for, or undefined if it is unknown or revoked. */
  async agentForCredential(
    credential: string,
  ): Promise<{ name: string; credentialHash: string } | undefined> {
    const credentialHash = hashSecret(credential);
    const name = await this.redis.get(this.keys.agentCredential(credentialHash));
    return name === null ? undefined : { name, credentialHash };
  }

  /** Removes an agent's credential; returns its SHA-256, or undefined if the name was not enrolled. */
  async revokeAgent(name: string): Promise<string | undefined> {
    const credHash = await this.redis.hget(this.keys.agent(name), 'credHash');
    if (credHash === null) return undefined;
    await this.redis
      .multi()
      .del(this.keys.agentCredential(credHash), this.keys.agent(name))
      .srem(this.keys.agents, name.toLowerCase())
      .exec();
    return credHash;
  }

  /** The enrolled agents: name and enrolment time. */
  async listAgents(): Promise<{ name: string; enrolledAt: string }[]> {
    const names = await this.redis.smembers(this.keys.agents);
    const pipeline = this.redis.pipeline();
    for (const name of names) pipeline.hmget(this.keys.agent(name), 'name', 'enrolledAt');
    const rows = (await pipeline.exec()) ?? [];
    return rows
      .map(([, value]) => value as (string | null)[])
      .filter((row): row is [string, string] => row[0] !== null && row[1] !== null)
      .map(([agentName, enrolledAt]) => ({ name: agentName, enrolledAt }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Issues an operator API token with a role; the secret is returned once. */
  async createOperatorToken(name: string, role: Role): Promise<OperatorToken & { token: string }> {
    const token = newSecret('exo');
    const hash = hashSecret(token);
    const record: OperatorToken = { id: newTokenId(), name, role, createdAt: new Date().toISOString() };
    await this.redis
      .multi()
      .hset(this.keys.operatorToken(hash), { ...record })
      .hset(this.keys.operatorTokenIds, record.id, hash)
      .exec();
    return { ...record, token };
  }

  /** The operator token behind a secret, or undefined. */
  async operatorForToken(token: string): Promise<OperatorToken | undefined> {
    const record = await this.redis.hgetall(this.keys.operatorToken(hashSecret(token)));
    return toOperatorToken(record);
  }

  /** Every operator token, without secrets. */
  async listOperatorTokens(): Promise<OperatorToken[]> {
    const hashes = Object.values(await this.redis.hgetall(this.keys.operatorTokenIds));
    const pipeline = this.redis.pipeline();
    for (const hash of hashes) pipeline.hgetall(this.keys.operatorToken(hash));
    const rows = (await pipeline.exec()) ?? [];
    return rows
      .map(([, value]) => toOperatorToken(value as Record<string, string>))
      .filter((t): t is OperatorToken => t !== undefined);
  }

  /** True while an operator token of this id exists (it was issued and not revoked). */
  async hasOperatorToken(id: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.operatorTokenIds, id)) === 1;
  }

  /** Revokes an operator token by id; false if there is none. */
  async revokeOperatorToken(id: string): Promise<boolean> {
    const hash = await this.redis.hget(this.keys.operatorTokenIds, id);
    if (hash === null) return false;
    await this.redis.multi().del(this.keys.operatorToken(hash)).hdel(this.keys.operatorTokenIds, id).exec();
    return true;
  }
}

function toOperatorToken(record: Record<string, string>): OperatorToken | undefined {
  const { id, name, role, createdAt } = record;
  if (!id || !name || !role || !createdAt) return undefined;
  return { id, name, role: role as Role, createdAt };
}
