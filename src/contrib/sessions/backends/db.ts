/**
 * The database session store (SESSION_ENGINE 'db', Django's backends.db): one row of
 * `django_session` per session, read by key and unexpired.
 *
 * load → SELECT … WHERE session_key = ? → unexpired? → decode
 * save → UPDATE (or INSERT for a new key) inside atomic() → CreateError/UpdateError
 */
import { atomic } from '../../../db/transaction.ts';
import { IntegrityError } from '../../../db/errors.ts';
import { ModelStateError } from '../../../db/models/errors.ts';
import { router } from '../../../db/routers.ts';
import { CreateError, UpdateError } from '../exceptions.ts';
import { Session } from '../models.ts';
import { SessionBase, suspiciousSessionLog, type SessionData } from './base.ts';
import { now as timezoneNow } from '../../../utils/timezone.ts';

/** A model with the fields of AbstractBaseSession (Session, or a project's own). */
export type SessionModel = typeof Session;
type SessionRow = InstanceType<SessionModel>;

/**
 * Sessions in the database. Subclass it with `static override getModelClass()` to store
 * them in a model of your own, and override `createModelInstance()` to fill its extra fields.
 */
export class SessionStore extends SessionBase {
  /** The model sessions are stored in. */
  static getModelClass(): SessionModel {
    return Session;
  }

  get model(): SessionModel {
    return (this.constructor as typeof SessionStore).getModelClass();
  }

  /**
   * The row of this session if it exists and has not expired; otherwise null, with the key
   * dropped so the next save creates a new session rather than reviving the old key.
   */
  protected async getSessionFromDb(): Promise<SessionRow | null> {
    const row = await this.#rowByKey();
    // Checked here rather than in SQL so the read by key alone takes the ORM's planned
    // primary-key query; the answer is the same as `expire_date > now`.
    if (row === null || !(row.expireDate > timezoneNow())) {
      suspiciousSessionLog.info('Unknown or expired session key; starting a new session.');
      this._sessionKey = null;
      return null;
    }
    return row;
  }

  async #rowByKey(): Promise<SessionRow | null> {
    if (this.sessionKey === null) return null;
    try {
      return await this.model.objects.get({ sessionKey: this.sessionKey });
    } catch (error) {
      if (error instanceof this.model.DoesNotExist) return null;
      throw error;
    }
  }

  async load(): Promise<SessionData> {
    const row = await this.getSessionFromDb();
    return row ? this.decode(row.sessionData) : {};
  }

  async exists(sessionKey: string): Promise<boolean> {
    return this.model.objects.filter({ sessionKey }).exists();
  }

  async create(): Promise<void> {
    // Another request may take the key between exists() and the INSERT: then draw again.
    await this.createUnderFreshKey();
  }

  /** The row to write for `data`: key, encoded data and expiry date. */
  async createModelInstance(data: SessionData): Promise<SessionRow> {
    return new this.model({
      sessionKey: await this._getOrCreateSessionKey(),
      sessionData: this.encode(data),
      expireDate: await this.getExpiryDate(),
    });
  }

  async save(mustCreate = false): Promise<void> {
    if (this.sessionKey === null) return this.create();
    const data = await this._getSession(mustCreate);
    const row = await this.createModelInstance(data);
    const using = router.dbForWrite(this.model, { instance: row });
    try {
      // A savepoint, so a failed INSERT leaves an enclosing transaction usable.
      await atomic(() => row.save({ forceInsert: mustCreate, forceUpdate: !mustCreate, using }), { using });
    } catch (error) {
      if (mustCreate && error instanceof IntegrityError) throw new CreateError(`Session key ${this.sessionKey} is taken.`, { cause: error });
      // The forced UPDATE found no row: the session was deleted while this request ran.
      if (!mustCreate && error instanceof ModelStateError) throw new UpdateError('The session was deleted before it could be saved.', { cause: error });
      throw error;
    }
  }

  async deleteSession(sessionKey: string | null = null): Promise<void> {
    const key = sessionKey ?? this.sessionKey;
    if (key === null) return;
    await this.model.objects.filter({ sessionKey: key }).delete();
  }

  /** Delete every expired row (`manage.ts clearsessions`). */
  static async clearExpired(): Promise<void> {
    await this.getModelClass().objects.filter({ expireDate__lt: timezoneNow() }).delete();
  }
}
