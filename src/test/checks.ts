/**
 * Running the system checks from a test suite, as Django's test runner does before
 * the tests: a project whose models, URLs or settings have errors fails at once,
 * with the `check` command's report.
 */
import type { AppConfig } from '../conf/apps.ts';
import { formatCheckReport, runChecks, type CheckReport } from '../core/checks/index.ts';
import { SystemCheckError } from '../core/management/base.ts';

/** Options of `runSystemChecks()`. */
export interface RunSystemChecksOptions {
  /** Only the checks of these apps' models (default: the whole project). */
  appConfigs?: readonly AppConfig[];
  /** Only checks with one of these tags. */
  tags?: readonly string[];
  /** Include the `--deploy` checks (a test of production settings). */
  includeDeploymentChecks?: boolean;
  /** Messages at or above this level fail (default ERROR, 40; WARNING is 30). */
  failLevel?: number;
  /** Databases the checks may query. */
  databases?: readonly string[];
}

/**
 * Runs the system checks and returns the report; throws SystemCheckError (its message
 * is the report `manage.ts check` prints) when a message reaches the fail level.
 * SILENCED_SYSTEM_CHECKS applies. Imports what the checks need (URLconf, template
 * tag folders); queries nothing unless `databases` is given.
 *
 * ```ts
 * before(async () => {
 *   await setup();
 *   await runSystemChecks();   // fails the suite on any ERROR
 * });
 * ```
 */
export async function runSystemChecks(options: RunSystemChecksOptions = {}): Promise<CheckReport> {
  const { failLevel, ...selection } = options;
  const report = formatCheckReport(await runChecks(selection), { displayNumIssues: true, failLevel });
  if (report.failed) throw new SystemCheckError(report.text);
  return report;
}
