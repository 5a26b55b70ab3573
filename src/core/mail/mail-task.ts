/**
 * The task behind sendMailLater(): sendMail() run by a task worker. Its name is fixed, so
 * runs queued by one release are found by the next wherever this file moves.
 */
import { task } from '../../tasks/task.ts';
import { sendMail } from './send.ts';

/** What sendMail() takes besides the message, as JSON. */
export interface QueuedMailOptions {
  htmlMessage: string | null;
  failSilently: boolean;
}

/** Sends one message with sendMail(); resolves to the number sent (1, or 0 when it failed silently). */
export const sendMailTask = task(
  async function sendMailTask(subject: string, message: string, fromEmail: string | null, recipientList: string[], options: QueuedMailOptions) {
    return sendMail(subject, message, fromEmail, recipientList, options);
  },
  { name: 'nuages/core/mail#sendMail' },
);
