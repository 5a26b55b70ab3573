// `manage.ts sendtestemail`: one test mail to the addresses given, to MANAGERS and to ADMINS,
// as Django's command sends them; a clear error when it is given nobody to write to.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { configure } from '../../../src/conf/index.ts';
import { CommandError, callCommand } from '../../../src/core/management/index.ts';
import { useMailOutbox } from '../../../src/test/index.ts';

const outbox = useMailOutbox();

before(() =>
  configure({
    SECRET_KEY: 'sendtestemail-tests',
    DEFAULT_FROM_EMAIL: 'shop@example.com',
    SERVER_EMAIL: 'errors@example.com',
    ADMINS: [['Ada', 'ada@example.com']],
    MANAGERS: ['manager@example.com'],
  }),
);

test('the addresses given get the test mail, from DEFAULT_FROM_EMAIL, naming the host and the time', async () => {
  await callCommand('sendtestemail', 'joe@example.com', 'jane@example.com');
  assert.equal(outbox.length, 1);
  const [mail] = outbox;
  assert.deepEqual(mail!.to, ['joe@example.com', 'jane@example.com']);
  assert.equal(mail!.fromEmail, 'shop@example.com');
  assert.match(mail!.subject, new RegExp(`^Test email from ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00$`));
  assert.equal(mail!.body, "If you're reading this, it was successful.");
});

test('--managers and --admins write to MANAGERS and ADMINS with the subject prefix', async () => {
  await callCommand('sendtestemail', '--managers', '--admins');
  assert.deepEqual(outbox.map((mail) => [mail.to, mail.body]), [
    [['manager@example.com'], 'This email was sent to the site managers.'],
    [['ada@example.com'], 'This email was sent to the site admins.'],
  ]);
  assert.ok(outbox.every((mail) => mail.subject.startsWith('[Nuages] Test email from ') && mail.fromEmail === 'errors@example.com'));
});

test('nobody to write to is an error that says what to pass', async () => {
  await assert.rejects(callCommand('sendtestemail'), (error: unknown) => {
    assert.ok(error instanceof CommandError);
    assert.equal(error.message, 'You must specify some email recipients, or pass the --managers or --admin options.');
    return true;
  });
  assert.equal(outbox.length, 0);
});
