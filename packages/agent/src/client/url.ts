import { ClientError } from './errors.js';

/** Checks a server URL (http or https, no query or fragment) and returns it without a trailing slash. */
export function normalizeServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch (error) {
    throw new ClientError(
      'AGENT_ERR_SERVER_URL_INVALID',
      `server URL ${JSON.stringify(input)} is not a URL (expected e.g. https://exrollout.contoso.com:8443)`,
      { cause: error },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ClientError(
      'AGENT_ERR_SERVER_URL_INVALID',
      `server URL ${JSON.stringify(input)} must start with http:// or https://`,
    );
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    throw new ClientError(
      'AGENT_ERR_SERVER_URL_INVALID',
      `server URL ${JSON.stringify(input)} must not carry credentials, a query or a fragment`,
    );
  return url.href.replace(/\/+$/, '');
}

/** The enrolment endpoint of a server: `{base}/agent/v1/enrol`. */
export function enrolUrl(serverUrl: string): string {
  return `${normalizeServerUrl(serverUrl)}/agent/v1/enrol`;
}

/** The agent gateway of a server: the same host and path prefix over ws or wss, at `/agent/v1`. */
export function gatewayUrl(serverUrl: string): string {
  return `${normalizeServerUrl(serverUrl).replace(/^http/, 'ws')}/agent/v1`;
}
