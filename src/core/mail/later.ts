/**
 * sendMailLater(): sendMail() as a background task, with the tasks framework's guarantee.
 * Called inside atomic() (a view saving an order), the mail is queued in the same
 * transaction: rolled back, it is never sent; committed, it is sent even if the process dies
 * right after (the database backend's queue row, or a broker backend's outbox row, commits
 * with the order). A worker (`manage.ts worker`) sends it, with the task's retries.
 *
 * The tasks framework is imported on first call, so projects that never queue mail do not load it.
 */
import type { TaskResult } from '../../tasks/result.ts';

/** Options of sendMailLater(): sendMail()'s, and where the task goes. */
export interface SendMailLaterOptions {
  htmlMessage?: string | null;
  failSilently?: boolean;
  /** The TASKS alias (default 'default'). */
  backend?: string;
  /** The task queue (default 'default'); it must be in the backend's QUEUES. */
  queueName?: string;
  priority?: number;
  /** Not before this moment; a number is seconds from now. */
  runAfter?: Date | number;
}

/**
 * Queue one message to `recipientList` as a task that calls sendMail(); resolves to the
 * task's result (its returnValue, once sent, is the number of messages sent).
 *
 * ```ts
 * await atomic(async () => {
 *   const order = await Order.objects.create({ … });
 *   await sendMailLater(`Order ${order.pk}`, 'Thank you for your order.', null, [user.email]);
 * }); // rolled back: no mail; committed: the mail is sent by a worker
 * ```
 *
 * @throws InvalidTask when the queue is not in the backend's QUEUES; TaskNotSerializableError.
 */
export async function sendMailLater(
  subject: string,
  message: string,
  fromEmail: string | null,
  recipientList: readonly string[],
  options: SendMailLaterOptions = {},
): Promise<TaskResult<number>> {
  const { sendMailTask } = await import('./mail-task.ts');
  const { htmlMessage, failSilently, ...where } = options;
  const queued = sendMailTask.using(where);
  return queued.enqueue(subject, message, fromEmail, [...recipientList], { htmlMessage: htmlMessage ?? null, failSilently: failSilently ?? false });
}
