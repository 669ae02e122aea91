/** Base class of the server's errors: a stable code, the HTTP status it maps to, and a message for people. */
export class ServerError extends Error {
  constructor(
    readonly code: `SRV_ERR_${string}`,
    readonly statusCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServerError';
  }
}

/** Configuration from the environment is missing or wrong; the server does not start. */
export class ConfigError extends ServerError {
  constructor(readonly problems: readonly string[]) {
    super(
      'SRV_ERR_CONFIG_INVALID',
      500,
      `invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** No operator token, or one the server does not know. */
export const unauthorized = (message = 'an operator API token is required: Authorization: Bearer <token>') =>
  new ServerError('SRV_ERR_AUTH_REQUIRED', 401, message);

/** An operator token was presented and refused: unknown, revoked, or another kind of secret. */
export const tokenRefused = () =>
  unauthorized(
    'the operator API token was refused: it is unknown or revoked (an agent credential or enrolment token is not one)',
  );

/** Too many failed authentications from one client address: refused, whatever it presents, for a while. */
export class AuthRateLimitedError extends ServerError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'SRV_ERR_AUTH_RATE_LIMITED',
      429,
      `too many failed authentications from this address; try again in ${retryAfterSeconds} s`,
    );
    this.name = 'AuthRateLimitedError';
  }
}

/** The token is valid but its role may not do this. */
export const forbidden = (role: string, needed: string) =>
  new ServerError(
    'SRV_ERR_AUTH_FORBIDDEN',
    403,
    `role ${role} may not do this; it needs ${needed} or higher`,
  );

/** The named thing does not exist. */
export const notFound = (what: string) => new ServerError('SRV_ERR_NOT_FOUND', 404, `${what} not found`);

/** An enrolment token that is unknown, expired or used up. */
export const enrolTokenInvalid = () =>
  new ServerError('SRV_ERR_ENROL_TOKEN_INVALID', 401, 'enrolment token is unknown, expired or used up');

/** A server name already held by another agent credential. */
export const enrolNameTaken = (name: string) =>
  new ServerError(
    'SRV_ERR_ENROL_NAME_TAKEN',
    409,
    `server ${name} is already enrolled; an admin must revoke it (DELETE /api/v1/agents/${name}) or issue a re-enrolment token`,
  );

/** An Internet-facing pin asked for a server that runs no Client Access role: the flag means nothing there. */
export const notClientAccess = (name: string, roles: readonly string[]) =>
  new ServerError(
    'SRV_ERR_SERVER_NOT_CLIENT_ACCESS',
    409,
    `server ${name} runs ${roles.join(', ')}, not Client Access: only a Client Access server can be pinned Internet-facing or internal`,
  );

/** The server has no package store (EXR_PACKAGE_DIR is not set): packages can be neither uploaded nor downloaded. */
export const packageStoreDisabled = () =>
  new ServerError(
    'SRV_ERR_PACKAGE_STORE_DISABLED',
    503,
    'this server has no package store: set EXR_PACKAGE_DIR to a folder every instance mounts',
  );

/** An uploaded file that is not a package of the update's catalog entry (name, size or signature); nothing is kept. */
export const packageInvalid = (message: string) => new ServerError('SRV_ERR_PACKAGE_INVALID', 400, message);

/** An upload that ended before all its bytes arrived (Content-Length not reached, or the connection cut). */
export const packageIncomplete = (received: number, expected: number | undefined) =>
  new ServerError(
    'SRV_ERR_PACKAGE_INCOMPLETE',
    400,
    `the upload ended after ${received} bytes${expected === undefined ? '' : ` of ${expected}`}; nothing was kept, send it again`,
  );

/** A Range header the package cannot satisfy (it starts past the end of the file). */
export const rangeNotSatisfiable = (size: number) =>
  new ServerError(
    'SRV_ERR_PACKAGE_RANGE',
    416,
    `the range starts past the end of the package (${size} bytes)`,
  );

/** A rollout names a package the store does not hold, or one of another update or architecture. */
export const packageNotStored = (message: string) =>
  new ServerError('SRV_ERR_PACKAGE_NOT_STORED', 400, message);
