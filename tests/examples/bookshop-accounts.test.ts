// The bookshop's accounts through the test client, on its migrated and seeded database:
// sign-up with Django's password validators, login and logout (a new session key at
// login), the password reset by email from the outbox, the password change, the header,
// flash messages, and the staff pages guarded by permissions.
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apps } from '../../src/conf/apps.ts';
import { outbox } from '../../src/core/mail/index.ts';
import { useBookshop } from './bookshop-project.ts';
import { Client } from '../../src/test/index.ts';
import type { User as UserModel } from '../../src/contrib/auth/index.ts';
import type { Profile as ProfileModel } from '../../examples/bookshop/accounts/models.ts';

const STAFF_PASSWORD = 'staff-demo-passphrase';
const READER_PASSWORD = 'reader-demo-passphrase';
const ENV = {
  CACHE_URL: 'locmem://bookshop-accounts-test',
  EMAIL_BACKEND: 'locmem',
  BOOKSHOP_STAFF_PASSWORD: STAFF_PASSWORD,
  BOOKSHOP_READER_PASSWORD: READER_PASSWORD,
};
let User: typeof UserModel;
let Profile: typeof ProfileModel;

useBookshop('accounts', { env: () => ENV, seed: true }, async () => {
  User = apps.getModel('auth.User') as unknown as typeof UserModel;
  Profile = apps.getModel('accounts.Profile') as unknown as typeof ProfileModel;
});

beforeEach(() => {
  outbox.length = 0;
});

const SESSION_COOKIE = 'sessionid';

async function loggedIn(username: string, password: string): Promise<Client> {
  const client = new Client();
  const response = await client.post('/accounts/login/', { username, password });
  assert.equal(response.status, 302, `${username} could not log in`);
  return client;
}

describe('sign-up', () => {
  test('the page shows the form with the validators\' help and a login link in the header', async () => {
    const page = await new Client().get('/accounts/register/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<input type="text" name="username"[^>]* required[^>]*>/);
    assert.match(page.text, /<input type="email" name="email"[^>]* required[^>]*>/);
    assert.match(page.text, /Your password must contain at least 8 characters\./);
    assert.match(page.text, /<a href="\/accounts\/login\/">Log in<\/a> \/ <a href="\/accounts\/register\/">Sign up<\/a>/);
  });

  test('a weak password is refused with Django\'s validator messages, and no user is created', async () => {
    const count = await User.objects.count();
    const page = await new Client().post('/accounts/register/', {
      username: 'newreader',
      email: 'new@reader.example',
      password1: '1234',
      password2: '1234',
    });
    assert.equal(page.status, 200);
    assert.match(page.text, /This password is too short\. It must contain at least 8 characters\./);
    assert.match(page.text, /This password is too common\./);
    assert.match(page.text, /This password is entirely numeric\./);
    assert.equal(await User.objects.count(), count);
  });

  test('a password like the username, mismatched passwords, a taken username and no email are refused', async () => {
    const similar = await new Client().post('/accounts/register/', {
      username: 'marguerite',
      email: 'm@reader.example',
      password1: 'marguerite1',
      password2: 'marguerite1',
    });
    assert.match(similar.text, /The password is too similar to the username\./);
    const mismatch = await new Client().post('/accounts/register/', {
      username: 'reader',
      email: '',
      password1: 'a-good-long-passphrase',
      password2: 'another-long-passphrase',
    });
    assert.match(mismatch.text, /The two password fields didn’t match\./);
    assert.match(mismatch.text, /A user with that username already exists\./);
    assert.match(mismatch.text, /<ul class="errorlist" id="id_email_error"><li>This field is required\.<\/li><\/ul>/);
  });

  test('a valid sign-up creates the user and a profile, logs them in and welcomes them', async () => {
    const client = new Client();
    const response = await client.post('/accounts/register/', {
      username: 'ada',
      email: 'ada@reader.example',
      password1: 'analytical-engine-1843',
      password2: 'analytical-engine-1843',
    }, { follow: true });
    assert.deepEqual(response.redirectChain, [['/', 302]]);
    const user = await User.objects.get({ username: 'ada' });
    assert.equal(user.email, 'ada@reader.example');
    assert.ok(await user.checkPassword('analytical-engine-1843'));
    assert.ok(await Profile.objects.filter({ user }).exists());
    assert.match(response.text, /<li class="success">Welcome, ada! Your account is ready\.<\/li>/);
    assert.match(response.text, /Logged in as <strong>ada<\/strong>/);
    // The message is shown once.
    assert.doesNotMatch((await client.get('/')).text, /Welcome, ada!/);
  });
});

describe('login and logout', () => {
  test('a wrong password shows Django\'s message and logs nobody in', async () => {
    const client = new Client();
    const page = await client.post('/accounts/login/', { username: 'reader', password: 'not-the-password' });
    assert.equal(page.status, 200);
    assert.match(page.text, /Please enter a correct username and password\. Note that both fields may be case-sensitive\./);
    assert.match((await client.get('/')).text, /Log in<\/a> \/ <a href="\/accounts\/register\/">Sign up/);
  });

  test('login gives a new session key (no session fixation), keeps the session\'s data, and honours ?next', async () => {
    const client = new Client();
    // An anonymous session with data (the cart), as an attacker could plant its key.
    await client.post('/cart/add/', { product: '1', quantity: '2' });
    const before = client.cookies.get(SESSION_COOKIE);
    assert.ok(before, 'adding to the cart starts a session');
    const response = await client.post('/accounts/login/?next=/orders/', { username: 'reader', password: READER_PASSWORD });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('Location'), '/orders/');
    const after = client.cookies.get(SESSION_COOKIE);
    assert.ok(after);
    assert.notEqual(after, before);
    // The old key no longer names a logged-in session.
    const attacker = new Client();
    attacker.cookies.set(SESSION_COOKIE, before);
    assert.equal((await attacker.get('/orders/')).status, 302);
    const home = await client.get('/');
    assert.match(home.text, /Logged in as <strong>reader<\/strong>/);
    assert.match(home.text, /<form class="logout" action="\/accounts\/logout\/" method="post">/);
    assert.match((await client.get('/cart/')).text, /tote bag/, 'the cart survives the login');
  });

  test('logout is a POST; a GET does not log anyone out', async () => {
    const client = await loggedIn('reader', READER_PASSWORD);
    const get = await client.get('/accounts/logout/');
    assert.equal(get.status, 405);
    assert.match((await client.get('/')).text, /Logged in as <strong>reader<\/strong>/);
    const post = await client.post('/accounts/logout/', {});
    assert.equal(post.status, 302);
    assert.equal(post.headers.get('Location'), '/');
    assert.match((await client.get('/')).text, /<a href="\/accounts\/login\/">Log in<\/a>/);
    assert.equal((await client.get('/orders/')).status, 302);
  });
});

describe('password reset by email', () => {
  test('the full flow: the email, the link, the new password, with a message after each step', async () => {
    const user = await User.objects.createUser({ username: 'forgetful', email: 'forgetful@reader.example', password: 'old-passphrase-123' });
    const client = new Client();
    const asked = await client.post('/accounts/password-reset/', { email: 'FORGETFUL@reader.example' }, { follow: true });
    assert.deepEqual(asked.redirectChain, [['/accounts/password-reset/done/', 302]]);
    assert.match(asked.text, /we have emailed it a link to choose a new password/);
    assert.equal(outbox.length, 1);
    const mail = outbox[0]!;
    assert.deepEqual(mail.to, ['forgetful@reader.example']);
    const link = /http:\/\/[^/\s]+(\/accounts\/password-reset\/[^/\s]+\/[^/\s]+\/)/.exec(mail.body);
    assert.ok(link, `a reset link in: ${mail.body}`);

    const opened = await client.get(link[1]!, {}, { follow: true });
    assert.equal(opened.redirectChain.length, 1);
    assert.match(opened.redirectChain[0]![0], /\/set-password\/$/, 'the token leaves the URL');
    assert.match(opened.text, /<input type="password" name="new_password1"/);

    const weak = await client.post(opened.redirectChain[0]![0], { new_password1: 'password', new_password2: 'password' });
    assert.match(weak.text, /This password is too common\./);

    const set = await client.post(opened.redirectChain[0]![0], { new_password1: 'a-brand-new-passphrase', new_password2: 'a-brand-new-passphrase' }, { follow: true });
    assert.deepEqual(set.redirectChain, [['/accounts/password-reset/complete/', 302]]);
    assert.match(set.text, /Your password has been set\. You can log in with it now\./);
    await user.refreshFromDb();
    assert.ok(await user.checkPassword('a-brand-new-passphrase'));

    // The link works once: the token signed the old password hash.
    const replay = await new Client().get(link[1]!);
    assert.equal(replay.status, 200);
    assert.match(replay.text, /The link was invalid/);
    await loggedIn('forgetful', 'a-brand-new-passphrase');
  });

  test('an unknown address gets the same page and message, and no email', async () => {
    const asked = await new Client().post('/accounts/password-reset/', { email: 'nobody@reader.example' }, { follow: true });
    assert.deepEqual(asked.redirectChain, [['/accounts/password-reset/done/', 302]]);
    assert.match(asked.text, /we have emailed it a link/);
    assert.equal(outbox.length, 0);
  });
});

describe('password change', () => {
  test('asks for the old password, keeps the user logged in, and says so', async () => {
    await User.objects.createUser({ username: 'changer', email: 'changer@reader.example', password: 'first-passphrase-1' });
    const client = await loggedIn('changer', 'first-passphrase-1');
    const wrong = await client.post('/accounts/password-change/', {
      old_password: 'nope',
      new_password1: 'second-passphrase-2',
      new_password2: 'second-passphrase-2',
    });
    assert.match(wrong.text, /Your old password was entered incorrectly\. Please enter it again\./);
    const changed = await client.post('/accounts/password-change/', {
      old_password: 'first-passphrase-1',
      new_password1: 'second-passphrase-2',
      new_password2: 'second-passphrase-2',
    }, { follow: true });
    assert.deepEqual(changed.redirectChain, [['/accounts/password-change/done/', 302]]);
    assert.match(changed.text, /<li class="success">Your password was changed\.<\/li>/);
    assert.match(changed.text, /Logged in as <strong>changer<\/strong>/);
    await loggedIn('changer', 'second-passphrase-2');
  });

  test('anonymous users are sent to the login page', async () => {
    const page = await new Client().get('/accounts/password-change/');
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('Location'), '/accounts/login/?next=/accounts/password-change/');
  });
});

describe('the staff pages', () => {
  test('a reader is sent to the login page from the book editor, the new book page and /staff/', async () => {
    const client = await loggedIn('reader', READER_PASSWORD);
    for (const url of ['/staff/books/1/edit/', '/staff/books/new/', '/staff/']) {
      const page = await client.get(url);
      assert.equal(page.status, 302, url);
      assert.equal(page.headers.get('Location'), `/accounts/login/?next=${url}`);
    }
    const post = await client.post('/staff/books/1/edit/', { title: 'Defaced' });
    assert.equal(post.status, 302);
  });

  test('staff, an Editor, gets the editor, and /staff/ shows the links their permissions allow', async () => {
    const client = await loggedIn('staff', STAFF_PASSWORD);
    assert.equal((await client.get('/staff/books/1/edit/')).status, 200);
    assert.equal((await client.get('/staff/books/new/')).status, 200);
    const staff = await client.get('/staff/');
    assert.equal(staff.status, 200);
    assert.match(staff.text, /<a href="\/staff\/books\/new\/">Add a book<\/a>/);
    assert.match((await client.get('/')).text, /<a href="\/staff\/">Staff<\/a>/);
  });

  test('a staff member outside "Editors" sees /staff/ without the guarded link, and is refused the editor', async () => {
    await User.objects.createUser({ username: 'intern', email: 'intern@bookshop.example', password: 'intern-passphrase-1', isStaff: true });
    const client = await loggedIn('intern', 'intern-passphrase-1');
    const staff = await client.get('/staff/');
    assert.equal(staff.status, 200);
    assert.doesNotMatch(staff.text, /Add a book/);
    assert.match(staff.text, /ask an administrator to add you to “Editors”/);
    assert.equal((await client.get('/staff/books/new/')).status, 302);
  });
});
