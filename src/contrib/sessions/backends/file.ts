/**
 * The file store (SESSION_ENGINE 'file', Django's backends.file): one file per session,
 * `<SESSION_FILE_PATH>/<SESSION_COOKIE_NAME><key>` (Django's naming, so both can share
 * a folder), holding the encoded data. Writes go to a temporary file in the same
 * folder that is then renamed over the session file, so a reader never sees half a
 * session and no lock file is needed.
 */
import { randomBytes } from 'node:crypto';
import { constants, statSync } from 'node:fs';
import { access, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidSettingError } from '../../../conf/errors.ts';
import { settingOr } from '../../../conf/lazy-settings.ts';
import { getLogger } from '../../../utils/log.ts';
import { CreateError, InvalidSessionKey, UpdateError } from '../exceptions.ts';
import { SessionBase, suspiciousSessionLog, VALID_KEY_CHARS, type SessionData } from './base.ts';

const KEY_PATTERN = new RegExp(`^[${VALID_KEY_CHARS}]+$`);
const log = getLogger('nuages.contrib.sessions');
const checkedFolders = new Set<string>();

/** SESSION_FILE_PATH (the system's temporary folder when unset), checked to be a folder. */
function storagePath(): string {
  const path = settingOr<string | null>('SESSION_FILE_PATH', null) || tmpdir();
  if (!checkedFolders.has(path)) {
    let folder = false;
    try {
      folder = statSync(path).isDirectory();
    } catch {
      folder = false;
    }
    if (!folder) {
      throw new InvalidSettingError(
        'SESSION_FILE_PATH',
        `The session storage path ${JSON.stringify(path)} doesn't exist. Set SESSION_FILE_PATH to an existing folder the server can write to.`,
      );
    }
    checkedFolders.add(path);
  }
  return path;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** Sessions in files. */
export class SessionStore extends SessionBase {
  readonly storagePath: string;
  /** SESSION_COOKIE_NAME: the start of every session file's name. */
  readonly filePrefix: string;

  constructor(sessionKey: string | null = null) {
    super(sessionKey);
    this.storagePath = storagePath();
    this.filePrefix = settingOr('SESSION_COOKIE_NAME', 'sessionid');
  }

  /**
   * The file of `sessionKey` (default: this session's, drawing a key if it has none).
   *
   * @throws InvalidSessionKey for a key with characters a key never has ('../' included).
   */
  async keyToFile(sessionKey?: string): Promise<string> {
    const key = sessionKey ?? (await this._getOrCreateSessionKey());
    if (!KEY_PATTERN.test(key)) throw new InvalidSessionKey('Invalid characters in session key');
    return join(this.storagePath, this.filePrefix + key);
  }

  async load(): Promise<SessionData> {
    return this.#load(true);
  }

  async #load(replaceExpired: boolean): Promise<SessionData> {
    let text: string;
    try {
      text = await readFile(await this.keyToFile(), 'ascii');
    } catch (error) {
      if (error instanceof InvalidSessionKey) suspiciousSessionLog.warn('Session key with invalid characters; starting a new session.');
      else suspiciousSessionLog.info('Unknown session key; starting a new session.');
      this._sessionKey = null;
      return {};
    }
    // An empty file is the placeholder create() writes before the data.
    if (!text) return {};
    const data = this.decode(text);
    const age = await this.getExpiryAge({ expiry: await this.#expiryDate(data) });
    if (age > 0) return data;
    suspiciousSessionLog.info('Expired session; starting a new session.');
    await this.deleteSession();
    if (replaceExpired) await this.create();
    else this._sessionKey = null;
    return {};
  }

  /**
   * When the data expires: its custom expiry, counted from the file's last write when it
   * is a number of seconds; otherwise SESSION_COOKIE_AGE after that write.
   */
  async #expiryDate(data: SessionData): Promise<Date> {
    const custom = data['_session_expiry'];
    if (typeof custom === 'string' && custom) return this.getExpiryDate({ expiry: custom });
    const modified = (await stat(await this.keyToFile())).mtime;
    const seconds = typeof custom === 'number' && custom > 0 ? custom : this.getSessionCookieAge();
    return new Date(modified.getTime() + seconds * 1000);
  }

  async create(): Promise<void> {
    await this.createUnderFreshKey();
  }

  async save(mustCreate = false): Promise<void> {
    if (this.sessionKey === null) return this.create();
    // Read the data before touching the file that holds it.
    const data = await this._getSession(mustCreate);
    const file = await this.keyToFile();
    try {
      // O_EXCL claims a new key atomically; without O_CREAT an update finds a deleted session.
      const flags = constants.O_WRONLY | (mustCreate ? constants.O_CREAT | constants.O_EXCL : 0);
      await (await open(file, flags)).close();
    } catch (error) {
      if (mustCreate && errorCode(error) === 'EEXIST') throw new CreateError(`Session file ${file} exists.`, { cause: error });
      if (!mustCreate && errorCode(error) === 'ENOENT') throw new UpdateError('The session was deleted before it could be saved.', { cause: error });
      throw error;
    }
    const temporary = `${file}_out_${randomBytes(6).toString('hex')}`;
    try {
      await writeFile(temporary, this.encode(data), { flag: 'wx' });
      await rename(temporary, file);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      // As Django: a failed write keeps the previous data rather than failing the response.
      log.error(`Could not write session file ${file}`, { error });
    }
  }

  async exists(sessionKey: string): Promise<boolean> {
    try {
      await access(await this.keyToFile(sessionKey));
      return true;
    } catch {
      return false;
    }
  }

  async deleteSession(sessionKey: string | null = null): Promise<void> {
    const key = sessionKey ?? this.sessionKey;
    if (key === null) return;
    try {
      await unlink(await this.keyToFile(key));
    } catch {
      // Already gone, or a key that names no file: nothing to delete.
    }
  }

  /** Delete the files of expired sessions (`manage.ts clearsessions`). */
  static async clearExpired(): Promise<void> {
    const prefix = settingOr('SESSION_COOKIE_NAME', 'sessionid');
    for (const name of await readdir(storagePath())) {
      const key = name.slice(prefix.length);
      // Other files, and temporary ones (`…_out_…`) that are not sessions.
      if (!name.startsWith(prefix) || !KEY_PATTERN.test(key)) continue;
      await new this(key).#load(false);
    }
  }
}
