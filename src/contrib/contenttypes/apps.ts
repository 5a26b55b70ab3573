import { AppConfig } from '../../conf/apps.ts';
import { postMigrate } from '../../db/models/signals.ts';
import { createContentTypes } from './management.ts';

/** `nuages/contrib/contenttypes`: creates a content type for each installed model after `migrate`. */
export default class ContentTypesConfig extends AppConfig {
  override label = 'contenttypes';
  override verboseName = 'Content Types';
  // Django's contenttypes keep a 32-bit id; a Django database's rows stay readable.
  override defaultAutoField: string | undefined = 'AutoField';

  override ready(): void {
    postMigrate.connect(createContentTypes, { dispatchUid: 'nuages.contrib.contenttypes.createContentTypes' });
  }
}
