/**
 * Shared by the auth tests: a project with contenttypes, auth and the fixture apps, on the
 * test database (SQLite in memory, or PostgreSQL with NUAGES_TEST_DB=postgres), built by
 * migration so content types and permissions exist as after `migrate`. Passwords use the
 * MD5 hasher for speed, as Django's own test suites do.
 */
import { join } from 'node:path';
import { configure, setup, type SettingsInput } from '../../../src/conf/index.ts';
import { MD5PasswordHasher } from '../../../src/contrib/auth/hashers.ts';
import { setupTestDatabase } from '../../../src/test/index.ts';
import { testDatabaseSettings } from '../../db/test-database.ts';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

/** MD5 that counts its hashes, to see that a login runs the hasher without timing it. */
export class CountingHasher extends MD5PasswordHasher {
  static calls = 0;

  override async encode(password: string, salt: string): Promise<string> {
    CountingHasher.calls++;
    return super.encode(password, salt);
  }
}

/** Configures the project and builds its test database. */
export async function setUpAuthProject(extra: SettingsInput = {}): Promise<void> {
  configure({
    DEBUG: true,
    SECRET_KEY: 'nuages-auth-tests',
    BASE_DIR: FIXTURES,
    INSTALLED_APPS: ['nuages/contrib/contenttypes', 'nuages/contrib/auth', 'library'],
    DATABASES: { default: testDatabaseSettings() },
    PASSWORD_HASHERS: [CountingHasher],
    ...extra,
  });
  await setup();
  await setupTestDatabase();
}

/** A writer that keeps what a command prints. */
export function output(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}
