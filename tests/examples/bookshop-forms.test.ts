// The bookshop's forms through the test client, on its migrated database.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apps } from '../../src/conf/apps.ts';
import { useBookshop } from './bookshop-project.ts';
import { Client } from '../../src/test/index.ts';
import type { ContactMessage as ContactMessageModel } from '../../examples/bookshop/catalog/models.ts';

let ContactMessage: typeof ContactMessageModel;

useBookshop('forms', {}, async () => {
  ContactMessage = apps.getModel('catalog.ContactMessage') as unknown as typeof ContactMessageModel;
});

describe('the contact form', () => {
  test('GET shows the empty form in Django\'s div layout', async () => {
    const page = await new Client().get('/contact/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<label for="id_email">Email:<\/label>/);
    assert.match(page.text, /<div class="helptext" id="id_email_helptext">We answer to this address\.<\/div>/);
    assert.match(page.text, /<input type="email" name="email" maxlength="320" required aria-describedby="id_email_helptext" id="id_email">/);
    assert.match(page.text, /<textarea name="message" cols="40" rows="6" minlength="10" required id="id_message">\n<\/textarea>/);
  });

  test('an invalid POST shows the errors next to the fields and stores nothing', async () => {
    const page = await new Client().post('/contact/', { name: 'Ada', email: 'not-an-email', subject: '', message: 'short' });
    assert.equal(page.status, 200);
    assert.match(page.text, /<ul class="errorlist" id="id_email_error"><li>Enter a valid email address\.<\/li><\/ul>/);
    assert.match(page.text, /<ul class="errorlist" id="id_subject_error"><li>This field is required\.<\/li><\/ul>/);
    assert.match(page.text, /Ensure this value has at least 10 characters \(it has 5\)\./);
    assert.match(page.text, /value="Ada"/, 'what the visitor typed is kept');
    assert.equal(await ContactMessage.objects.count(), 0);
  });

  test('a message with too many links is refused by the form\'s own clean hook', async () => {
    const links = 'See http://a.example http://b.example http://c.example';
    const page = await new Client().post('/contact/', { name: 'Bot', email: 'bot@example.com', subject: 'Offer', message: links });
    assert.match(page.text, /Please include at most 2 links\./);
    assert.equal(await ContactMessage.objects.count(), 0);
  });

  test('a valid POST stores the message and redirects, and the page then thanks the visitor', async () => {
    const client = new Client();
    const sent = await client.post('/contact/', { name: 'Ada', email: 'ada@example.com', subject: 'Hello', message: 'Do you stock Dune?' });
    assert.equal(sent.status, 302);
    assert.equal(sent.headers.get('Location'), '?sent=1');
    const stored = await ContactMessage.objects.get({ email: 'ada@example.com' });
    assert.equal(stored.subject, 'Hello');
    const thanks = await client.get('/contact/?sent=1');
    assert.match(thanks.text, /your message was sent/);
  });
});
