// urlHasAllowedHostAndScheme against Django 5.2 on friendly and hostile redirect targets
// (tests/utils/django/http_oracle.py writes the cases).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { urlHasAllowedHostAndScheme } from '../../src/utils/http.ts';

interface Case {
  url: string | null;
  hosts: string[];
  requireHttps: boolean;
  allowed: boolean;
}

const cases: Case[] = JSON.parse(readFileSync(new URL('./django/http-cases.json', import.meta.url), 'utf8'));

test("every redirect target is judged as Django judges it", () => {
  assert.ok(cases.length > 150);
  const wrong = cases.filter((c) => urlHasAllowedHostAndScheme(c.url, c.hosts, c.requireHttps) !== c.allowed);
  assert.deepEqual(wrong, []);
});

test('open redirects are refused, same-site paths allowed', () => {
  assert.equal(urlHasAllowedHostAndScheme('https://evil.example/', ['shop.example']), false);
  assert.equal(urlHasAllowedHostAndScheme('/\\evil.example', ['shop.example']), false);
  assert.equal(urlHasAllowedHostAndScheme('/account/', ['shop.example']), true);
  assert.equal(urlHasAllowedHostAndScheme('https://shop.example/account/', 'shop.example', true), true);
});
