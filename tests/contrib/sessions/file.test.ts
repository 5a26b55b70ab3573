/** The file store ('file') in a temporary SESSION_FILE_PATH. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { overrideSettings } from '../../../src/conf/index.ts';
import { FileSessionStore, InvalidSessionKey, type SessionBase } from '../../../src/contrib/sessions/index.ts';
import { captureLogs } from '../../../src/utils/log.ts';
import { runStoreSuite } from './store-suite.ts';
import { setUpSessions, tearDownSessions } from './setup.ts';

let folder: string;
before(async () => {
  folder = await setUpSessions({ SESSION_ENGINE: 'file' });
});
after(tearDownSessions);

const fileOf = (session: SessionBase) => join(folder, `sessionid${session.sessionKey}`);

runStoreSuite('file', {
  settings: { SESSION_ENGINE: 'file' },
  serverSide: true,
  async expire(session) {
    // Last written three weeks ago: past SESSION_COOKIE_AGE (two weeks).
    const then = new Date(Date.now() - 21 * 86_400_000);
    utimesSync(fileOf(session), then, then);
    return session.sessionKey!;
  },
  async tamper(session) {
    const text = readFileSync(fileOf(session), 'ascii');
    writeFileSync(fileOf(session), `x${text.slice(1)}`);
    return session.sessionKey!;
  },
});

describe('file: files', () => {
  test("one file per session named <SESSION_COOKIE_NAME><key>, holding Django's encoding, and no temporary file left", async () => {
    await overrideSettings({ SESSION_COOKIE_NAME: 'shopsid' }, async () => {
      const session = new FileSessionStore();
      await session.set('cart', [1, 2]);
      await session.save();
      const file = join(folder, `shopsid${session.sessionKey}`);
      assert.ok(existsSync(file));
      assert.equal(readFileSync(file, 'ascii'), session.encode({ cart: [1, 2] }).replace(/:[^:]+:[^:]+$/, readFileSync(file, 'ascii').match(/:[^:]+:[^:]+$/)![0]));
      assert.deepEqual(readdirSync(folder).filter((name) => name.includes('_out_')), []);
    });
  });

  test('a key with path characters is refused and never reaches the file system', async () => {
    const session = new FileSessionStore('../../../../etc/passwd');
    await assert.rejects(session.keyToFile(), InvalidSessionKey);
    const { result, records } = await captureLogs('nuages.security.SuspiciousSession', () => session.items());
    assert.deepEqual(result, []);
    assert.equal(session.sessionKey, null);
    assert.equal(records[0]?.level, 'warning');
  });

  test('a session with a custom expiry in seconds expires that long after its last write', async () => {
    const session = new FileSessionStore();
    await session.set('a', 1);
    await session.setExpiry(60);
    await session.save();
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(fileOf(session), twoMinutesAgo, twoMinutesAgo);
    assert.deepEqual(await new FileSessionStore(session.sessionKey).items(), []);
  });

  test('a SESSION_FILE_PATH that is not a folder is refused when the store is built', () =>
    overrideSettings({ SESSION_FILE_PATH: join(folder, 'missing') }, () => {
      assert.throws(() => new FileSessionStore(), { code: 'NUAGES_INVALID_SETTING', message: /SESSION_FILE_PATH/ });
    }));
});
