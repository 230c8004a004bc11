/**
 * What happens after a target invocation fails, for EventBridge rules' targets and EventBridge Scheduler's alike: a
 * refusal retrying cannot change (a client fault of the target's service: no such queue, an invalid task definition;
 * a bus hop EventBridge does not make) goes to the dead-letter queue at once; anything else is retried with backoff
 * (1 s doubling to 60 s, real time) until the RetryPolicy runs out: MaximumRetryAttempts (default 185) or
 * MaximumEventAgeInSeconds (default 86400) since the event was accepted or the schedule fired.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
 */
import { AwsError } from '../../protocol/errors.js';

export interface RetryPolicy { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number }

export const DEFAULT_MAX_ATTEMPTS = 185;
export const DEFAULT_MAX_AGE_S = 86_400;
const BASE_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

/** The two EXHAUSTED_RETRY_CONDITION values of a dead-lettered event, as AWS names them. */
export type ExhaustedCondition = 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';

/** A target service's refusal: retrying cannot change it. */
export const isPermanent = (err: unknown) => err instanceof AwsError && (err.status ?? 400) < 500 && err.sender !== false;

/**
 * After the `failures`-th failed attempt (1 for the first) of an invocation first attempted at `firstAt`: retry at a
 * time, or give up (with the condition that ran out; none for a permanent failure, which is never retried).
 */
export function afterFailure(
  err: unknown, failures: number, firstAt: number, now: number, policy: RetryPolicy | undefined,
): { retryAt: number } | { giveUp: ExhaustedCondition | undefined } {
  if (isPermanent(err)) return { giveUp: undefined };
  const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (failures - 1));
  if (now + backoff - firstAt > (policy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000) return { giveUp: 'MaximumEventAgeInSeconds' };
  if (failures > (policy?.MaximumRetryAttempts ?? DEFAULT_MAX_ATTEMPTS)) return { giveUp: 'MaximumRetryAttempts' };
  return { retryAt: now + backoff };
}

/** EventBridge's dead-letter ERROR_CODE for a failure (its own codes, not the target service's). */
export function ruleErrorCode(err: unknown): string {
  if (!(err instanceof AwsError)) return 'INTERNAL_ERROR';
  if (err.code === HOP_REFUSED) return HOP_REFUSED;
  if (/NotFound|DoesNotExist|NonExistent/.test(err.code)) return 'NO_RESOURCE';
  if (/^(InvalidParameter|ValidationException|MissingParameter|InvalidAttribute|InvalidMessageContents)/.test(err.code)) return 'INVALID_PARAMETER';
  if (/Throttl/.test(err.code)) return 'THROTTLING';
  if (err.code === 'ECSFailure') return 'ERROR_FROM_TARGET';
  return isPermanent(err) ? 'ERROR_FROM_TARGET' : 'INTERNAL_ERROR';
}

/**
 * An event that came to a bus from another bus is not sent on to a third: "EventBridge can't route events received
 * from a sender event bus to a third event bus" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-bus-to-bus.html),
 * which is also what stops loops between buses. The dead-letter code AWS reports for it.
 */
export const HOP_REFUSED = 'THIRD_ACCOUNT_HOP_DETECTED';
