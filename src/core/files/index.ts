/**
 * nuages/core/files: files, storages and upload validators (Django's
 * django.core.files and its validators).
 */
export { File, ContentFile, UploadedFile, headOf, bytesOf, type Readable } from './base.ts';
export { SuspiciousFileOperation, InvalidStorageError, StorageUnsupportedError } from './errors.ts';
export { getValidFilename, validateFileName } from './names.ts';
export { Storage, type SaveContent } from './storage.ts';
export { FileSystemStorage, safeJoin, filepathToUri, type FileSystemStorageOptions } from './filesystem.ts';
export {
  storages,
  defaultStorage,
  defaultStoragesSetting,
  DEFAULT_STORAGE_ALIAS,
  STATICFILES_STORAGE_ALIAS,
  type StorageSettings,
} from './storages.ts';
export {
  fileExtensionValidator,
  validateImageFileExtension,
  IMAGE_FILE_EXTENSIONS,
  contentTypeValidator,
  detectContentType,
  maxFileSizeValidator,
  formatFileSize,
  SNIFF_LENGTH,
} from './validators.ts';
export { getImageInfo, getImageDimensions, imageMimeType, type ImageInfo } from './images.ts';
