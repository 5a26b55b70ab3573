/**
 * Errors of file storage (Django's SuspiciousFileOperation and InvalidStorageError).
 */
import { ImproperlyConfigured } from '../errors.ts';
import { SuspiciousOperation } from '../exceptions.ts';

/**
 * A file name would escape the storage folder or cannot be made safe: `..` in
 * its path, an absolute path, or nothing left once unsafe characters go.
 * A SuspiciousOperation, so a request that causes it is answered 400.
 */
export class SuspiciousFileOperation extends SuspiciousOperation {
  override readonly code = 'NUAGES_SUSPICIOUS_FILE_OPERATION';
}

/** `STORAGES` has no such alias, or an entry's BACKEND cannot be used (Django's InvalidStorageError). */
export class InvalidStorageError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_INVALID_STORAGE';
}

/** A storage was asked for something it cannot do, such as a URL with no base URL or a local path. */
export class StorageUnsupportedError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_STORAGE_UNSUPPORTED';
}
