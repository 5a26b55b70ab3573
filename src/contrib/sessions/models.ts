/**
 * Session: one row per database-backed session, in Django's `django_session` table with
 * Django's columns, so a Django project's sessions table is read and written as it is.
 *
 * ```sql
 * CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY,
 *   "session_data" text NOT NULL, "expire_date" datetime NOT NULL);
 * CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date");
 * ```
 */
import { CharField, DateTimeField, Model, TextField } from '../../db/index.ts';

/**
 * The fields of a session row (Django's AbstractBaseSession). Extend it for a session
 * model of your own (extra columns, another table), and point a db store subclass at it
 * with `static override getModelClass()`.
 *
 * ```ts
 * class UserSession extends Model<UserSession, typeof AbstractBaseSession>(AbstractBaseSession)({
 *   userId: new IntegerField({ null: true, dbIndex: true }),
 * }) {}
 * ```
 */
export class AbstractBaseSession extends Model<AbstractBaseSession>()({
  sessionKey: new CharField({ maxLength: 40, primaryKey: true, verboseName: 'session key' }),
  sessionData: new TextField({ verboseName: 'session data' }),
  expireDate: new DateTimeField({ dbIndex: true, verboseName: 'expire date' }),
}, { abstract: true, verboseName: 'session', verboseNamePlural: 'sessions' }) {
  override toString(): string {
    return this.sessionKey;
  }
}

/** A stored session of the 'db' and 'cached-db' engines. `sessionData` is signed, compressed JSON. */
export class Session extends Model<Session, typeof AbstractBaseSession>(AbstractBaseSession)({}, {
  appLabel: 'sessions',
  dbTable: 'django_session',
  verboseName: 'session',
  verboseNamePlural: 'sessions',
}) {}
