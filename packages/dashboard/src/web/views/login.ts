import { describeError } from '../api.js';
import { h } from '../dom.js';

/** The sign-in form: an operator API token, checked against GET /api/v1/me; the API's error is shown. */
export function loginView(signIn: (token: string) => Promise<void>, refused?: string): HTMLElement {
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
  });
  const message = h('p', { role: 'alert', class: 'error', id: 'login-error' }, refused);
  const submit = async (event: Event) => {
    event.preventDefault();
    message.textContent = '';
    try {
      await signIn(input.value.trim());
    } catch (error) {
      message.textContent = describeError(error);
    }
  };
  return h(
    'main',
    { class: 'login' },
    h('h1', {}, 'exrollout'),
    h('p', {}, 'Staged rollouts of Exchange Server 2007 SP1 Update Rollup 6 (KB 959241).'),
    h(
      'form',
      { onsubmit: submit },
      h('label', { for: 'token' }, 'Operator API token'),
      input,
      h('button', { type: 'submit' }, 'Sign in'),
      message,
    ),
    h('p', { class: 'hint' }, 'The token is kept in this browser tab only (sessionStorage).'),
  );
}
