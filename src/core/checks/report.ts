/**
 * The check report, as Django's `BaseCommand.check()` prints it: a header, the
 * visible messages grouped by level (CRITICALS, ERRORS, WARNINGS, INFOS, DEBUGS),
 * each group sorted, and a footer counting issues and silenced ones.
 */
import { CRITICAL, ERROR, INFO, WARNING, type CheckMessage } from './messages.ts';

/** How the report colours a message; identity functions print plain text. */
export interface ReportStyle {
  readonly ERROR: (text: string) => string;
  readonly WARNING: (text: string) => string;
}

/** Options of `formatCheckReport()`. */
export interface ReportOptions {
  /** End with `System check identified N issues (M silenced).` (the `check` command does). */
  displayNumIssues?: boolean;
  /** Messages at or above this level fail (ERROR by default). */
  failLevel?: number;
  style?: ReportStyle;
}

/** A formatted report and what it found. */
export interface CheckReport {
  /** The whole text, '' when there is nothing to say. */
  readonly text: string;
  /** Whether a visible message reaches the fail level. */
  readonly failed: boolean;
  /** Messages not silenced by SILENCED_SYSTEM_CHECKS. */
  readonly visible: readonly CheckMessage[];
  readonly silenced: number;
}

const PLAIN: ReportStyle = { ERROR: (text) => text, WARNING: (text) => text };

const GROUPS: ReadonlyArray<readonly [string, (m: CheckMessage) => boolean]> = [
  ['CRITICALS', (m) => m.level >= CRITICAL],
  ['ERRORS', (m) => m.level >= ERROR && m.level < CRITICAL],
  ['WARNINGS', (m) => m.level >= WARNING && m.level < ERROR],
  ['INFOS', (m) => m.level >= INFO && m.level < WARNING],
  ['DEBUGS', (m) => m.level < INFO],
];

/**
 * Formats `messages` as the `check` command prints them.
 *
 * ```ts
 * const report = formatCheckReport(await runChecks({ includeDeploymentChecks: true }), { displayNumIssues: true });
 * if (report.text) process.stderr.write(report.text + '\n');
 * ```
 */
export function formatCheckReport(messages: readonly CheckMessage[], options: ReportOptions = {}): CheckReport {
  const style = options.style ?? PLAIN;
  const visible = messages.filter((m) => !m.isSilenced());
  let body = '';
  for (const [name, inGroup] of GROUPS) {
    const issues = visible.filter(inGroup);
    if (issues.length === 0) continue;
    // Sorted as text, after styling, as Django sorts them.
    const lines = issues.map((m) => (m.isSerious() ? style.ERROR(String(m)) : style.WARNING(String(m))));
    body += `\n${name}:\n${lines.sort(compareCodePoints).join('\n')}\n`;
  }
  const header = visible.length ? 'System check identified some issues:\n' : '';
  let footer = '';
  if (options.displayNumIssues) {
    if (visible.length) footer += '\n';
    const count = visible.length === 0 ? 'no issues' : visible.length === 1 ? '1 issue' : `${visible.length} issues`;
    footer += `System check identified ${count} (${messages.length - visible.length} silenced).`;
  }
  const failLevel = options.failLevel ?? ERROR;
  return {
    text: `${header}${body}${footer}`,
    failed: visible.some((m) => m.isSerious(failLevel)),
    visible,
    silenced: messages.length - visible.length,
  };
}

// Python sorts strings by code point; JavaScript's default sort compares UTF-16 units.
function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
  }
  return left.length - right.length;
}
