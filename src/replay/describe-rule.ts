/** Why the policy decided what it did, in words: the rule of the route (or the default) that applied. */
import type { ActionConfig, RouteConfig } from '../config/schema.js';
import type { FailureShape } from '../errors.js';
import { DEFAULT_ACTIONS } from '../fallback/policy.js';

export function describeRule(route: RouteConfig, shape: FailureShape, attemptsOnHop: number): string {
  if (shape === 'client_error') return 'client_error: the client\'s own mistake is returned, never retried';
  const own = route.policy[shape];
  const action = own ?? DEFAULT_ACTIONS[shape];
  const source = own ? `route policy ${shape}` : action ? `default for ${shape}` : `no rule for ${shape}`;
  const text = action ? actionText(action) : 'next';
  const retries = action && typeof action === 'object' && 'retry' in action ? `; call ${attemptsOnHop} of ${action.retry + 1} on this step` : '';
  const never = (shape === 'quota_exhausted' || shape === 'auth_error') && retries ? `; ${shape} is never retried` : '';
  return `${source}: ${text}${retries}${never}`;
}

function actionText(action: ActionConfig): string {
  if (typeof action === 'string') return action;
  if ('downgrade' in action) return `downgrade to ${action.downgrade}`;
  const then = typeof action.then === 'string' ? action.then : `downgrade to ${action.then.downgrade}`;
  return `retry ${action.retry}, then ${then}`;
}
