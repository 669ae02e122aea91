import type { Api } from './api.js';
import type { Me } from './types.js';

/** What a view gets: the API, the signed-in token, where to render, and a hook to clean up on leaving. */
export interface ViewContext {
  readonly api: Api;
  readonly me: Me;
  readonly main: HTMLElement;
  /** Runs `cleanup` when the operator leaves this view (stops polling). */
  onLeave(cleanup: () => void): void;
  /** Goes to another route. */
  navigate(hash: string): void;
}
