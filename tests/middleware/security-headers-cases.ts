// The Django oracle's requests (django/security-headers.json, made by
// django/security_headers_oracle.py) and the same views at the same paths, replayed
// through Nuages's Client by security.test.ts and clickjacking.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { overrideSettings, type SettingsInput } from '../../src/conf/index.ts';
import { HttpResponse } from '../../src/http/index.ts';
import { SecurityMiddleware, XFrameOptionsMiddleware } from '../../src/middleware/index.ts';
import { Client } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import { View, methodDecorator, xframeOptionsDeny, xframeOptionsExempt, xframeOptionsSameorigin } from '../../src/views/index.ts';

export interface OracleCase {
  name: string;
  middleware: Array<'security' | 'clickjacking'>;
  settings: SettingsInput;
  request: { method: string; path: string; secure?: boolean; headers?: Record<string, string> };
  expected: { status: number; headers: Record<string, string | null> };
}

interface Oracle {
  django: string;
  preset: Record<string, string>;
  cases: OracleCase[];
}

export const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'security-headers.json'), 'utf8')) as Oracle;

/** The settings every case starts from (the oracle's settings.configure). */
export const baseSettings: SettingsInput = { SECRET_KEY: 'security-headers-tests', ALLOWED_HOSTS: ['testserver', 'example.com', 'shop.example'] };

const ok = async () => new HttpResponse('ok');

async function preset() {
  const response = new HttpResponse('preset');
  for (const [name, value] of Object.entries(oracle.preset)) response.headers.set(name, value);
  return response;
}

async function framedSameorigin() {
  const response = new HttpResponse('framed');
  response.headers.set('X-Frame-Options', 'SAMEORIGIN');
  return response;
}

class ClassSameorigin extends View {
  async get() {
    return new HttpResponse('class');
  }
}
methodDecorator(xframeOptionsSameorigin, 'dispatch')(ClassSameorigin);

class ClassExempt extends View {
  async get() {
    return new HttpResponse('class');
  }
}
methodDecorator(xframeOptionsExempt, 'dispatch')(ClassExempt);

export const urlpatterns = [
  path('', ok),
  path('books/', ok),
  path('health/', ok),
  path('api/health/', ok),
  path('preset/', preset),
  path('exempt/', xframeOptionsExempt(ok)),
  path('deny/', xframeOptionsDeny(ok)),
  path('sameorigin/', xframeOptionsSameorigin(ok)),
  path('deny-over-preset/', xframeOptionsDeny(framedSameorigin)),
  path('exempt-over-preset/', xframeOptionsExempt(framedSameorigin)),
  path('class-sameorigin/', ClassSameorigin.asView()),
  path('class-exempt/', ClassExempt.asView()),
];

const MIDDLEWARE = { security: SecurityMiddleware, clickjacking: XFrameOptionsMiddleware };

/** A client on the oracle's views with the given middleware, as a string list in MIDDLEWARE order. */
export function clientWith(middleware: readonly (keyof typeof MIDDLEWARE)[]): Client {
  return new Client({ urlconf: urlpatterns, middleware: middleware.map((name) => MIDDLEWARE[name]), raiseRequestException: false });
}

/** Replay one oracle case: its status and the headers Django's answer is compared on. */
export async function replay(entry: OracleCase): Promise<OracleCase['expected']> {
  return overrideSettings(entry.settings, async () => {
    const { method, path: target, secure = false, headers } = entry.request;
    const response = await clientWith(entry.middleware).request(method, target, undefined, { secure, headers });
    const seen: Record<string, string | null> = {};
    for (const name of Object.keys(entry.expected.headers)) seen[name] = response.headers.get(name) ?? null;
    return { status: response.status, headers: seen };
  });
}
