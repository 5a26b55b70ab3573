/**
 * Content Security Policy for views: `cspOverride` / `cspReportOnlyOverride` (Django 6.0's
 * django.views.decorators.csp) choose one view's policy, and `cspReportView` answers the
 * violation reports browsers send to a policy's `report-uri`.
 *
 * ```ts
 * path('embed/', cspOverride({ 'default-src': [CSP.SELF], 'frame-ancestors': ['https://partner.example'] })(embed)),
 * path('legacy/', cspOverride({})(legacyPage)),                     // no enforced policy here
 * path('csp-report/', cspReport),                                   // logs to nuages.security.csp
 * methodDecorator(cspOverride(policy), 'dispatch')(EmbedView);      // on a class-based view
 * ```
 */
import { HttpResponse, HttpResponseNotAllowed, type HttpRequest } from '../http/index.ts';
import { RequestDataTooBig } from '../core/exceptions.ts';
import { checkPolicy, overrideCsp, overrideCspReportOnly } from '../middleware/csp.ts';
import type { CspPolicy } from '../utils/csp.ts';
import { getLogger, type Logger } from '../utils/log.ts';
import { afterView } from './cache-decorators.ts';
import { csrfExempt, type CsrfExemptFlag } from './csrf.ts';

type AnyView<P> = (request: HttpRequest, params: P) => HttpResponse | Promise<HttpResponse>;

function overrideDecorator(name: string, policy: CspPolicy, apply: (response: HttpResponse, policy: CspPolicy) => unknown) {
  checkPolicy(policy, `${name}()`);
  return <P = never, V extends AnyView<P> = AnyView<P>>(view: V): V => afterView<P, V>(name, view, (response) => apply(response as HttpResponse, policy));
}

/**
 * Send `policy` as this view's `Content-Security-Policy` instead of SECURE_CSP (the
 * whole policy: directives are not merged); `{}` sends none. Needs
 * ContentSecurityPolicyMiddleware, which builds the header (with the nonce) on the way out.
 *
 * ```ts
 * const mapPolicy = { ...settings.SECURE_CSP, 'img-src': [CSP.SELF, 'https://tiles.example'] };
 * path('map/', cspOverride(mapPolicy)(storeMap)),
 * ```
 *
 * @throws InvalidCspPolicyError when `policy` is not a policy object or has a malformed directive.
 */
export function cspOverride(policy: CspPolicy) {
  return overrideDecorator('cspOverride', policy, overrideCsp);
}

/** As {@link cspOverride}, for `Content-Security-Policy-Report-Only` instead of SECURE_CSP_REPORT_ONLY. */
export function cspReportOnlyOverride(policy: CspPolicy) {
  return overrideDecorator('cspReportOnlyOverride', policy, overrideCspReportOnly);
}

// ---- Violation reports ---------------------------------------------------------------

/** Options of {@link cspReportView}. */
export interface CspReportViewOptions {
  /** Largest body accepted, in bytes (default 64 KiB; a report is about 1 KiB). Larger bodies get 413. */
  readonly maxBodySize?: number;
  /** Most reports logged from one request (default 20); the rest are counted in one record. */
  readonly maxReports?: number;
  /** Where reports are logged (default `getLogger('nuages.security.csp')`), at warning level. */
  readonly logger?: Logger;
}

/** One violation, in the names of the Reporting API, whichever format the browser sent. */
export interface CspViolation {
  readonly documentURL: string;
  readonly blockedURL: string;
  readonly effectiveDirective: string;
  readonly disposition: string;
  readonly originalPolicy: string;
  readonly sourceFile: string;
  readonly lineNumber: number | null;
  readonly columnNumber: number | null;
  readonly sample: string;
  readonly statusCode: number | null;
  readonly referrer: string;
  readonly userAgent: string;
}

const REPORT_URI_TYPE = 'application/csp-report';
const REPORTING_API_TYPE = 'application/reports+json';
const FIELD_MAX = 500;
// Characters that could forge a log line or hide text in a terminal: controls, format
// characters (bidi overrides), line and paragraph separators.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

function text(value: unknown): string {
  if (typeof value !== 'string') return '';
  const clean = value.replace(UNPRINTABLE, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  return clean.length > FIELD_MAX ? `${clean.slice(0, FIELD_MAX)}…` : clean;
}

function integer(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Each string field of a violation: its name in report-uri's format (CSP Level 2,
// { "csp-report": { "document-uri": … } }) and in the Reporting API's (report-to,
// [{ "type": "csp-violation", "body": { "documentURL": … } }]).
const TEXT_FIELDS = {
  documentURL: ['document-uri', 'documentURL'],
  blockedURL: ['blocked-uri', 'blockedURL'],
  effectiveDirective: ['effective-directive', 'effectiveDirective'],
  disposition: ['disposition', 'disposition'],
  originalPolicy: ['original-policy', 'originalPolicy'],
  sourceFile: ['source-file', 'sourceFile'],
  sample: ['script-sample', 'sample'],
  referrer: ['referrer', 'referrer'],
} as const;
const NUMBER_FIELDS = {
  lineNumber: ['line-number', 'lineNumber'],
  columnNumber: ['column-number', 'columnNumber'],
  statusCode: ['status-code', 'statusCode'],
} as const;
const REPORT_URI = 0;
const REPORTING_API = 1;

/** A violation from a report body; `fallback` fills what the body leaves empty. */
function violation(body: Record<string, unknown>, format: 0 | 1, fallback: Partial<Record<keyof CspViolation, unknown>>): CspViolation {
  const read = (names: readonly [string, string], key: keyof CspViolation) => body[names[format]] ?? fallback[key];
  const texts = Object.fromEntries(Object.entries(TEXT_FIELDS).map(([key, names]) => [key, text(read(names, key as keyof CspViolation))]));
  const numbers = Object.fromEntries(Object.entries(NUMBER_FIELDS).map(([key, names]) => [key, integer(read(names, key as keyof CspViolation))]));
  return { ...texts, ...numbers, disposition: texts['disposition'] || 'enforce', userAgent: text(fallback.userAgent) } as CspViolation;
}

/** The violations of a parsed body, or undefined when it has neither format's shape. */
function violationsOf(contentType: string, data: unknown, userAgent: string): CspViolation[] | undefined {
  if (contentType === REPORT_URI_TYPE) {
    const body = isObject(data) ? data['csp-report'] : undefined;
    // Older browsers name the directive only as violated-directive.
    return isObject(body) ? [violation(body, REPORT_URI, { effectiveDirective: body['violated-directive'], userAgent })] : undefined;
  }
  if (!Array.isArray(data)) return undefined;
  // A batch may hold other report types (deprecation, intervention): only CSP's are ours.
  return data.flatMap((report: unknown) =>
    isObject(report) && report['type'] === 'csp-violation' && isObject(report['body'])
      ? [violation(report['body'], REPORTING_API, { documentURL: report['url'], userAgent: report['user_agent'] })]
      : [],
  );
}

function plain(status: number, body = ''): HttpResponse {
  return new HttpResponse(body, { status, contentType: 'text/plain; charset=utf-8' });
}

async function readReportBody(request: HttpRequest, maxBodySize: number): Promise<Buffer | HttpResponse> {
  const tooBig = plain(413, `A CSP report body is at most ${maxBodySize} bytes.`);
  // Refused before reading when the size is declared: an oversized body is never buffered.
  const declared = Number(request.META['CONTENT_LENGTH']);
  if (Number.isFinite(declared) && declared > maxBodySize) return tooBig;
  try {
    await request.readBody();
  } catch (error) {
    if (error instanceof RequestDataTooBig) return tooBig;
    throw error;
  }
  return request.body.length > maxBodySize ? tooBig : request.body;
}

/**
 * A view that receives Content Security Policy violation reports: `application/csp-report`
 * (the `report-uri` directive) and `application/reports+json` (the Reporting API's
 * `report-to`, `csp-violation` entries only). Each report is logged at warning level
 * with its details, and the answer is 204. It is CSRF-exempt (browsers send reports
 * without a token) and refuses other methods (405), other content types (415),
 * bodies over `maxBodySize` (413) and bodies that are not a report (400). Fields are
 * cut to 500 characters and their control characters escaped, so a forged report
 * cannot forge log lines.
 *
 * ```ts
 * // urls.ts
 * path('csp-report/', cspReport),
 * // settings.ts
 * SECURE_CSP: { 'default-src': [CSP.SELF], 'report-uri': '/csp-report/' },
 * ```
 */
export function cspReportView(options: CspReportViewOptions = {}): AnyView<unknown> & CsrfExemptFlag {
  const maxBodySize = options.maxBodySize ?? 64 * 1024;
  const maxReports = options.maxReports ?? 20;
  const log = options.logger ?? getLogger('nuages.security.csp');
  async function cspReport(request: HttpRequest): Promise<HttpResponse> {
    if (request.method !== 'POST') return new HttpResponseNotAllowed(['POST']);
    const contentType = request.contentType.toLowerCase();
    if (contentType !== REPORT_URI_TYPE && contentType !== REPORTING_API_TYPE) {
      return plain(415, `CSP reports are sent as ${REPORT_URI_TYPE} or ${REPORTING_API_TYPE}.`);
    }
    const body = await readReportBody(request, maxBodySize);
    if (body instanceof HttpResponse) return body;
    let data: unknown;
    try {
      data = JSON.parse(body.toString('utf8'));
    } catch {
      return plain(400, 'The CSP report is not valid JSON.');
    }
    const violations = violationsOf(contentType, data, text(request.META['HTTP_USER_AGENT']));
    if (violations === undefined) return plain(400, `The body is not a CSP report in the ${contentType} format.`);
    for (const violation of violations.slice(0, maxReports)) {
      log.warn(
        `Content Security Policy violation (${violation.disposition}): ${violation.effectiveDirective || 'a directive'} blocked ` +
          `${violation.blockedURL || 'a resource'} on ${violation.documentURL || 'a page'}`,
        { ...violation },
      );
    }
    if (violations.length > maxReports) {
      log.warn(`${violations.length - maxReports} more Content Security Policy violations in the same request were not logged.`);
    }
    return new HttpResponse('', { status: 204 });
  }
  return csrfExempt(cspReport);
}

/** {@link cspReportView} with its defaults, ready for the URLconf. */
export const cspReport = cspReportView();
