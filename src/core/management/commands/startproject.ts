/**
 * `startproject <name> [directory]`: a new project, as Django's command makes one, from
 * `conf/project_template/` (or `--template`): `package.json`, `manage.ts`, `<name>/settings.ts`
 * with a fresh SECRET_KEY, `<name>/urls.ts` with a welcome page, a first test, a README.
 * `npm install && npm start` then serves it. Runs without settings (`nuages startproject`).
 */
import { NUAGES_ROOT, nuagesPackageJson } from '../../../utils/version.ts';
import { SECRET_KEY_INSECURE_PREFIX } from '../../checks/security/base.ts';
import { TemplateCommand, type TemplateKind } from '../templates.ts';
import { getRandomSecretKey } from '../utils.ts';

export default class StartProjectCommand extends TemplateCommand {
  override help =
    'Creates a Nuages project directory structure for the given project name in the current directory or optionally in the given directory.';
  readonly kind: TemplateKind = 'project';

  override extraContext(name: string): Record<string, unknown> {
    const devDependencies = nuagesPackageJson().devDependencies;
    return {
      // Django's prefix: `check --deploy` flags the key (security.W009) until production sets its own.
      secret_key: SECRET_KEY_INSECURE_PREFIX + getRandomSecretKey(),
      // Kubernetes and Docker names allow lowercase letters, digits and '-' only (my_site → my-site).
      project_slug: name.toLowerCase().replaceAll('_', '-'),
      // Nuages is not on the npm registry yet: the project depends on the Nuages that made it, by
      // path (`npm install` links it). JSON, because a path may hold quotes or backslashes.
      nuages_dependency: JSON.stringify(`file:${NUAGES_ROOT.replace(/[\\/]$/, '')}`),
      // The same Node.js and Node types as Nuages itself.
      node_version: devDependencies['node'] ?? '^24',
      types_node_version: devDependencies['@types/node'] ?? '^24',
      // The type-checker and the linter the generated CI workflow runs, as Nuages runs them.
      typescript_version: devDependencies['typescript'] ?? '^7',
      oxlint_version: devDependencies['oxlint'] ?? '^1',
    };
  }
}
