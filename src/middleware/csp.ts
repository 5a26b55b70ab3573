/**
 * ContentSecurityPolicyMiddleware (Django 6.0's django.middleware.csp): gives each request
 * a lazy nonce and sends SECURE_CSP as `Content-Security-Policy` and SECURE_CSP_REPORT_ONLY
 * as `Content-Security-Policy-Report-Only`, or the policies a view chose with
 * `cspOverride()` / `cspReportOnlyOverride()`.
 *
 * request → nonce attached (not made) → view renders, `{{ csp_nonce }}` makes it →
 * headers built, `'nonce-…'` in them only if it was made.
 */
import { settingOr } from '../conf/lazy-settings.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response.ts';
import { registerResponseMark } from '../http/response-marks.ts';
import { patchCacheControl } from '../utils/cache.ts';
import { buildPolicy, CSP, InvalidCspPolicyError, LazyNonce, type CspPolicy } from '../utils/csp.ts';
import { MiddlewareMixin } from './mixin.ts';

declare module '../http/request.ts' {
  interface HttpRequest {
    /**
     * This request's CSP nonce, made on first read (ContentSecurityPolicyMiddleware);
     * undefined without the middleware. Reading it puts `'nonce-…'` in the header
     * wherever the policy has `CSP.NONCE`.
     */
    readonly cspNonce?: string;
  }
}

const nonces = new WeakMap<HttpRequest, LazyNonce>();

/**
 * The request's {@link LazyNonce} (Django's get_nonce), undefined without the
 * middleware. Unlike `request.cspNonce`, getting it does not make the nonce: check
 * `.used` first to add a nonce only where the page already has one.
 */
export function getNonce(request: HttpRequest): LazyNonce | undefined {
  return nonces.get(request);
}

function attachNonce(request: HttpRequest): void {
  // Kept when the middleware runs twice on one request, so the page and the header agree.
  if (nonces.has(request)) return;
  const nonce = new LazyNonce();
  nonces.set(request, nonce);
  Object.defineProperty(request, 'cspNonce', { configurable: true, enumerable: true, get: () => nonce.value });
}

// Policies views chose (Django sets response._csp_config / _csp_ro_config). An override
// of `{}` is kept, unlike no override: it turns the header off for that response.
interface Overrides {
  enforce?: CspPolicy;
  reportOnly?: CspPolicy;
}
const overrides = new WeakMap<HttpResponseBase, Overrides>();
// A cached page keeps its override; Sets become sorted arrays, which send the same header.
registerResponseMark<Overrides>({
  name: 'cspOverrides',
  read: (response) => {
    const chosen = overrides.get(response);
    return chosen === undefined ? undefined : Object.fromEntries(Object.entries(chosen).map(([key, policy]) => [key, plainPolicy(policy as CspPolicy)]));
  },
  restore: (response, value) => void overrides.set(response, value),
});

function plainPolicy(policy: CspPolicy): CspPolicy {
  return Object.fromEntries(Object.entries(policy).map(([name, value]) => [name, value instanceof Set ? [...value].sort() : value])) as CspPolicy;
}

// Policies already checked: a decorator's policy is checked once, not on every response.
const checked = new WeakSet<object>();

/** Throws unless `policy` is a policy object (Django raises TypeError("CSP config should be a mapping.")). */
export function checkPolicy(policy: unknown, where: string): asserts policy is CspPolicy {
  if (typeof policy === 'object' && policy !== null && checked.has(policy)) return;
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy) || policy instanceof Map || policy instanceof Set) {
    throw new InvalidCspPolicyError(
      `${where} takes a policy object such as { 'default-src': [CSP.SELF] } (or {} to send no header), not ` +
        `${policy === null ? 'null' : Array.isArray(policy) ? 'an array' : typeof policy === 'object' ? (policy.constructor?.name ?? 'object') : typeof policy}.`,
    );
  }
  // Built once now so a malformed directive fails where the policy is written, not on a request.
  buildPolicy(policy as CspPolicy, undefined, where);
  checked.add(policy);
}

function setOverride(response: HttpResponseBase, key: keyof Overrides, policy: CspPolicy): void {
  const existing = overrides.get(response);
  if (existing === undefined) overrides.set(response, { [key]: policy });
  else existing[key] = policy;
}

/**
 * Send `policy` as this response's `Content-Security-Policy` instead of SECURE_CSP;
 * `{}` sends none. The `cspOverride()` decorator does this; call it yourself when a
 * view chooses per request.
 */
export function overrideCsp<R extends HttpResponseBase>(response: R, policy: CspPolicy): R {
  checkPolicy(policy, 'overrideCsp()');
  setOverride(response, 'enforce', policy);
  return response;
}

/** As {@link overrideCsp}, for `Content-Security-Policy-Report-Only` instead of SECURE_CSP_REPORT_ONLY. */
export function overrideCspReportOnly<R extends HttpResponseBase>(response: R, policy: CspPolicy): R {
  checkPolicy(policy, 'overrideCspReportOnly()');
  setOverride(response, 'reportOnly', policy);
  return response;
}

// The two headers, where their policy comes from, and the name errors give each source.
const HEADERS = [
  { header: CSP.HEADER_ENFORCE, key: 'enforce', setting: 'SECURE_CSP', decorator: 'cspOverride()' },
  { header: CSP.HEADER_REPORT_ONLY, key: 'reportOnly', setting: 'SECURE_CSP_REPORT_ONLY', decorator: 'cspReportOnlyOverride()' },
] as const;

function isEmpty(policy: CspPolicy | null | undefined): boolean {
  return policy === null || policy === undefined || Object.keys(policy).length === 0;
}

function asksForNonce(policy: CspPolicy | null | undefined): boolean {
  if (isEmpty(policy)) return false;
  return Object.values(policy!).some((value) =>
    typeof value === 'string' ? value === CSP.NONCE : Array.isArray(value) || value instanceof Set ? [...value].includes(CSP.NONCE) : false,
  );
}

/**
 * Sends the Content Security Policy of SECURE_CSP (enforced) and SECURE_CSP_REPORT_ONLY
 * (reported only), each when not empty, or the policy a view chose. A header the view
 * set itself is kept. `CSP.NONCE` becomes this request's `'nonce-…'` when the page used
 * `request.cspNonce` or `{{ csp_nonce }}`, and is left out otherwise; a response whose
 * header carries a nonce is marked `Cache-Control: private`, so no shared cache hands
 * one visitor's nonce to another.
 *
 * ```ts
 * MIDDLEWARE: [..., 'nuages/middleware/csp#ContentSecurityPolicyMiddleware', ...],
 * SECURE_CSP: { 'default-src': [CSP.SELF], 'script-src': [CSP.SELF, CSP.NONCE] },
 * ```
 */
export class ContentSecurityPolicyMiddleware extends MiddlewareMixin {
  override processRequest(request: HttpRequest): undefined {
    attachNonce(request);
    return undefined;
  }

  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    const nonce = getNonce(request);
    const chosen = overrides.get(response);
    const policies = HEADERS.map(({ header, key, setting, decorator }) => {
      const overridden = chosen !== undefined && key in chosen;
      return { header, policy: overridden ? chosen[key] : settingOr<CspPolicy>(setting, {}), where: overridden ? decorator : setting };
    });
    // A streamed body renders after the headers leave: make the nonce now, or its scripts would be refused.
    if (response.streaming && nonce !== undefined && policies.some(({ policy }) => asksForNonce(policy))) void nonce.value;
    for (const { header, policy, where } of policies) {
      if (isEmpty(policy) || response.headers.has(header)) continue;
      response.headers.set(header, buildPolicy(policy!, nonce, where));
    }
    if (nonce?.used) {
      const source = `'nonce-${nonce.value}'`;
      if (policies.some(({ header }) => response.headers.get(header)?.includes(source))) patchCacheControl(response, { private: true });
    }
    return response;
  }
}
