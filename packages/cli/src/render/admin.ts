import { table } from './table.js';

/** An operator token as the API shows it (`token` only when it is issued). */
export interface OperatorToken {
  id: string;
  name: string;
  role: string;
  createdAt: string;
  token?: string;
}

/** An enrolment token as issued. */
export interface EnrolmentToken {
  id: string;
  token: string;
  expiresAt: string;
  uses: number;
  reenrol: boolean;
}

/** GET /api/v1/agents. */
export interface AgentList {
  agents: { name: string; enrolledAt: string }[];
}

/** Renders a newly issued operator token, with the secret shown once. */
export function renderOperatorToken(t: OperatorToken): string {
  return `${t.token ?? ''}\nOperator token ${t.id} "${t.name}" (${t.role}) created. It is shown only now: keep it safe.\n`;
}

/** Renders the operator tokens as a table. */
export function renderTokens(answer: { tokens: OperatorToken[] }): string {
  if (answer.tokens.length === 0) return 'No operator tokens.\n';
  return `${table([['ID', 'NAME', 'ROLE', 'CREATED'], ...answer.tokens.map((t) => [t.id, t.name, t.role, t.createdAt])])}\n`;
}

/** Renders a newly issued enrolment token, with the secret shown once. */
export function renderEnrolmentToken(t: EnrolmentToken): string {
  const reenrol = t.reenrol ? ', may re-enrol servers' : '';
  return `${t.token}\nEnrolment token ${t.id}: ${t.uses} use${t.uses === 1 ? '' : 's'}, expires ${t.expiresAt}${reenrol}. It is shown only now.\n`;
}

/** Renders the enrolled agents as a table. */
export function renderAgents(answer: AgentList): string {
  if (answer.agents.length === 0) return 'No enrolled agents.\n';
  return `${table([['AGENT', 'ENROLLED'], ...answer.agents.map((a) => [a.name, a.enrolledAt])])}\n`;
}

/** `Revoked agent EX01.` */
export function renderRevoked(what: string, name: string): string {
  return `Revoked ${what} ${name}.\n`;
}
