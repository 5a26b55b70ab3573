/**
 * `nuages/core/checks`: the system check framework (Django's django.core.checks).
 *
 * registerCheck(fn, { tags, deploy }) → runChecks({ tags, includeDeploymentChecks,
 * appConfigs }) → CheckMessage[] → formatCheckReport() → the `check` command's
 * output; messages at or above the fail level (ERROR by default) fail it.
 * IDs keep Django's (`security.W004`), so a project's SILENCED_SYSTEM_CHECKS
 * carries over; Nuages's own checks use `nuages.*` IDs.
 *
 * Importing this module registers the built-in checks: models and fields,
 * URLs, templates, caches, and the deployment checks on security settings.
 */
import './model-checks.ts';
import './urls.ts';
import './templates.ts';
import './caches.ts';
import './security/base.ts';
import './security/csrf.ts';
import './security/sessions.ts';
import './security/nuages.ts';
import '../../contrib/staticfiles/checks.ts';

export {
  CRITICAL,
  DEBUG,
  ERROR,
  INFO,
  WARNING,
  CheckCritical,
  CheckDebug,
  CheckError,
  CheckInfo,
  CheckMessage,
  CheckWarning,
  describeObject,
  type CheckMessageOptions,
} from './messages.ts';
export {
  availableTags,
  registerCheck,
  runChecks,
  tagExists,
  Tags,
  unregisterCheck,
  type CheckContext,
  type CheckFunction,
  type RegisterCheckOptions,
  type RunChecksOptions,
} from './registry.ts';
export { formatCheckReport, type CheckReport, type ReportOptions, type ReportStyle } from './report.ts';
export { checkModel, checkedModels } from './model-checks.ts';
