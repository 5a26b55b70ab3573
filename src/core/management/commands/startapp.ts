/**
 * `startapp <name> [directory]`: a new app folder, as Django's command makes one, from
 * `conf/app_template/` (or `--template`): models, views, URLs, a test file, an empty
 * `migrations/` and a `templates/<name>/` folder. Add the name to INSTALLED_APPS and include
 * its `urlpatterns` to use it. Runs without settings too (`nuages startapp`).
 */
import { TemplateCommand, type TemplateKind } from '../templates.ts';

export default class StartAppCommand extends TemplateCommand {
  override help = 'Creates a Nuages app directory structure for the given app name in the current directory or optionally in the given directory.';
  readonly kind: TemplateKind = 'app';
}
