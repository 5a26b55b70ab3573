// One suite every email backend runs (tests/core/mail/backends.test.ts and smtp.test.ts):
// counting, batches over one opened connection, refusing header injection, non-ASCII text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BadHeaderError, EmailMessage, EmailMultiAlternatives, type EmailBackend, type EmailBackendOptions } from '../../../src/core/mail/index.ts';
import { decodeWords, readMessage } from './mime-reader.ts';

export interface BackendHarness {
  readonly name: string;
  make(options?: EmailBackendOptions): EmailBackend;
  /** The messages delivered since the last call (LF line ends), or null for a backend that keeps nothing. */
  delivered(): Promise<string[] | null>;
}

function message(subject: string, to = ['ada@example.com']): EmailMessage {
  return new EmailMessage({ subject, body: `Body of ${subject}`, fromEmail: 'shop@example.com', to });
}

async function subjects(harness: BackendHarness): Promise<string[] | null> {
  const raws = await harness.delivered();
  if (raws === null) return null;
  return Promise.all(raws.map(async (raw) => decodeWords((await readMessage(raw)).raw.get('subject') ?? '')));
}

export function backendSuite(harness: BackendHarness): void {
  describe(`${harness.name} backend: the shared suite`, () => {
    test('sends every message and resolves to the count', async () => {
      await harness.delivered();
      assert.equal(await harness.make().sendMessages([message('one'), message('two')]), 2);
      const got = await subjects(harness);
      if (got !== null) assert.deepEqual(got, ['one', 'two']);
    });

    test('an empty list sends nothing and resolves to 0', async () => {
      await harness.delivered();
      assert.equal(await harness.make().sendMessages([]), 0);
      const got = await subjects(harness);
      if (got !== null) assert.deepEqual(got, []);
    });

    test('batches sent between open() and close() all arrive', async () => {
      await harness.delivered();
      const connection = harness.make();
      await connection.open();
      assert.equal(await connection.sendMessages([message('first batch')]), 1);
      assert.equal(await connection.sendMessages([message('second batch')]), 1);
      await connection.close();
      await connection.close(); // closing twice is harmless
      const got = await subjects(harness);
      if (got !== null) assert.deepEqual(got, ['first batch', 'second batch']);
    });

    test('a line break in a header is refused and that message is not sent', async () => {
      await harness.delivered();
      await assert.rejects(harness.make().sendMessages([message('Hi\nBcc: victim@example.com')]), BadHeaderError);
      await assert.rejects(harness.make().sendMessages([message('ok', ['ada@example.com\r\nBcc: victim@example.com'])]), { code: 'NUAGES_MAIL_BAD_HEADER' });
      const got = await subjects(harness);
      if (got !== null) assert.deepEqual(got, []);
    });

    test('a non-ASCII subject and an HTML alternative arrive intact', async () => {
      await harness.delivered();
      const email = new EmailMultiAlternatives({ subject: 'Commande n° 7 — expédiée', body: 'Bonjour Zoë', fromEmail: 'Librairie Étoile <shop@example.com>', to: ['zoe@example.com'] });
      email.attachAlternative('<p>Bonjour <b>Zoë</b></p>', 'text/html');
      assert.equal(await harness.make().sendMessages([email]), 1);
      const raws = await harness.delivered();
      if (raws === null) return;
      const read = await readMessage(raws[0]!);
      assert.equal(decodeWords(read.raw.get('subject')!), 'Commande n° 7 — expédiée');
      assert.equal(read.shape, 'multipart/alternative(text/plain,text/html)');
      assert.deepEqual(read.leaves.map((leaf) => leaf.text?.trimEnd()), ['Bonjour Zoë', '<p>Bonjour <b>Zoë</b></p>']);
    });
  });
}
