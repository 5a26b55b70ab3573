/** The bookshop's root URLconf (settings.ROOT_URLCONF). */
import { include, path } from 'nuages/urls';
import * as catalog from './catalog/urls.ts';

export const urlpatterns = [path('', include(catalog))];
