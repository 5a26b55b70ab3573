/**
 * Email in tests, as Django's test runner arranges it: every message sent through
 * EMAIL_BACKEND lands in `outbox` instead of going out, and the outbox starts empty in
 * each test.
 */
import { after, before, beforeEach } from 'node:test';
import { outbox, routeMailToOutbox, type EmailMessage } from '../core/mail/index.ts';

/**
 * Call at the top of a test file (or inside a `describe`): mail goes to the outbox, which
 * is emptied before each test; returns the outbox.
 *
 * ```ts
 * const mail = useMailOutbox();
 * test('the reset mail goes out', async () => {
 *   await client.post('/accounts/password_reset/', { email: 'ada@example.com' });
 *   assert.equal(mail.length, 1);
 * });
 * ```
 */
export function useMailOutbox(): EmailMessage[] {
  before(() => routeMailToOutbox(true));
  beforeEach(() => {
    outbox.length = 0;
  });
  after(() => routeMailToOutbox(false));
  return outbox;
}
