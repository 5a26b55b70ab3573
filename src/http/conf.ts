/**
 * Settings as the HTTP layer reads them: a request or response can be built
 * before settings are configured (a unit test, a script), and then Django's
 * defaults apply.
 */
import { settingOr } from '../conf/lazy-settings.ts';

/** The value of setting `name`, or `fallback` when settings are not configured or it is unset. */
export function setting<T>(name: string, fallback: T): T {
  return settingOr(name, fallback);
}
