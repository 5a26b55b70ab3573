/**
 * nuages/contrib/staticfiles: Django's staticfiles for production — finders,
 * collectstatic's work, the manifest storage (hashed names, staticfiles.json),
 * pre-compressed variants, serving STATIC_ROOT, and the `staticfiles` checks.
 */
import './checks.ts';

export { collect, requireStaticRoot, staticStorageConfig, type CollectOptions, type CollectResult, type StaticStorageConfig } from './collect.ts';
export { compressedVariants, isCompressible, COMPRESSIBLE_EXTENSIONS, MIN_COMPRESS_SIZE } from './compress.ts';
export { DEFAULT_IGNORE_PATTERNS, findAll, isIgnored, staticRoots, type FoundFile, type StaticRoot } from './finders.ts';
export { encodingQuality, parseRange, staticRootHook, staticRootHookFromSettings, IMMUTABLE_CACHE_CONTROL, SHORT_CACHE_CONTROL } from './serving.ts';
export { fileHash, hashedName, hashFiles, loadManifest, manifestHash, manifestText, MANIFEST_BACKENDS, MANIFEST_NAME, StaticFilesError, type Manifest } from './storage.ts';
export { checkManifestCollected, checkStaticfilesDirs } from './checks.ts';
export { manifestUrl, useManifestStaticUrls } from './url.ts';
