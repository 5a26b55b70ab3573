/**
 * When a failed attempt is tried again: never for NonRetryableError or a class the task
 * lists in `nonRetryable`, never past its attempts; otherwise after an exponential backoff
 * with jitter, so tasks that failed together (a database restart) do not retry together.
 */
import { NonRetryableError } from './errors.ts';
import type { Task } from './task.ts';

/** Whether `error` may be retried by `task` (attempts aside). */
export function isRetryable(task: Task<never, unknown, never>, error: unknown): boolean {
  if (error instanceof NonRetryableError) return false;
  return !task.nonRetryable.some((errorClass) => error instanceof errorClass);
}

/** The backoff settings of a backend. */
export interface BackoffPolicy {
  /** Seconds before the first retry. */
  readonly retryDelay: number;
  /** The longest wait, in seconds. */
  readonly retryMaxDelay: number;
}

/**
 * Seconds to wait after failed attempt number `attempt` (from 1): `retryDelay × 2^(attempt−1)`,
 * capped at `retryMaxDelay`, then drawn between half of it and all of it ("equal jitter":
 * spread out, yet never much sooner than the schedule).
 */
export function retryDelaySeconds(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.retryMaxDelay, policy.retryDelay * 2 ** Math.max(0, attempt - 1));
  return exponential / 2 + (random() * exponential) / 2;
}
