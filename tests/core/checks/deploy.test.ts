// `check --deploy` against Django 5.2: the same settings give the same IDs, messages and hints
// (django/checks_oracle.py ran Django on deploy-scenarios.json), and the report is printed the same.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, resetSettings } from '../../../src/conf/index.ts';
import { runChecks, Tags } from '../../../src/core/checks/index.ts';
import { callCommand, SystemCheckError } from '../../../src/core/management/index.ts';
import { actual, DJANGO, nuagesSettings, SCENARIOS, sink, translate, translateExpected, type Scenario } from './django-fixture.ts';

afterEach(() => resetSettings());

/** What Nuages's own checks need to stay quiet, so a comparison with Django sees only Django's IDs. */
const NUAGES_EXTRAS = {
  SECURE_CSP: { 'default-src': ["'self'"] },
  RATELIMIT_RULES: [{ path: '/accounts/login/', method: 'POST', key: 'ip', rate: '10/m' }],
};

function extraNames(scenario: Scenario): Array<[string, string]> {
  return Object.entries(scenario.nuages ?? {})
    .filter(([name]) => typeof scenario.settings[name] === 'string')
    .map(([name, value]) => [String(scenario.settings[name]), String(value)]);
}

async function deployMessages(): Promise<ReturnType<typeof actual>> {
  const found = await runChecks({ includeDeploymentChecks: true, tags: [Tags.security] });
  return actual(found.filter((m) => !m.id?.startsWith('nuages.')));
}

describe('check --deploy gives what Django 5.2 gives for the same settings', () => {
  for (const scenario of SCENARIOS.scenarios) {
    test(scenario.name, async () => {
      configure(nuagesSettings(scenario));
      assert.deepEqual(await deployMessages(), translateExpected(DJANGO.deploy[scenario.name]!, extraNames(scenario)));
    });
  }

  test('every deploy ID Django 5.2 reports in these scenarios is covered', () => {
    const ids = new Set(Object.values(DJANGO.deploy).flatMap((list) => list.map((m) => m.id)));
    const wanted = ['W001', 'W002', 'W003', 'W004', 'W005', 'W006', 'W008', 'W009', 'W010', 'W011', 'W012', 'W013', 'W014', 'W015', 'W016', 'W018', 'W019', 'W020', 'W021', 'W022', 'E023', 'E024', 'W025', 'E102'];
    assert.deepEqual([...ids].sort(), wanted.map((id) => `security.${id}`).sort());
  });
});

describe('the check command prints the report as Django does', () => {
  const development = SCENARIOS.scenarios.find((s) => s.name === 'startproject development settings')!;
  const withExtras = () => {
    const settings = nuagesSettings(development);
    configure({ ...settings, ...NUAGES_EXTRAS, MIDDLEWARE: [...(settings['MIDDLEWARE'] as string[]), 'nuages/middleware/csp#ContentSecurityPolicyMiddleware', 'nuages/ratelimit#RateLimitMiddleware'] });
  };

  test('warnings go to stderr, grouped, sorted, with the count, and check succeeds', async () => {
    withExtras();
    const stdout = sink();
    const stderr = sink();
    await callCommand('check', '--deploy', '--tag', 'security', { stdout, stderr });
    assert.equal(stderr.text, translate(DJANGO.report['deployStderr']!));
    assert.equal(stdout.text, DJANGO.report['deployStdout']);
  });

  test('--fail-level WARNING raises SystemCheckError with the same report', async () => {
    withExtras();
    await assert.rejects(callCommand('check', '--deploy', '--tag', 'security', '--fail-level', 'WARNING', { stderr: sink() }), (error: Error) => {
      assert.ok(error instanceof SystemCheckError);
      assert.equal(`SystemCheckError: ${error.message}`, translate(DJANGO.report['failLevelWarning']!));
      return true;
    });
  });

  test('without --deploy the same settings are clean, reported on stdout', async () => {
    withExtras();
    const stdout = sink();
    await callCommand('check', '--tag', 'security', { stdout, stderr: sink() });
    assert.equal(stdout.text, DJANGO.report['cleanStdout']);
  });

  test('SILENCED_SYSTEM_CHECKS hides messages and the footer counts them', async () => {
    const settings = nuagesSettings(development);
    configure({
      ...settings,
      ...NUAGES_EXTRAS,
      MIDDLEWARE: [...(settings['MIDDLEWARE'] as string[]), 'nuages/middleware/csp#ContentSecurityPolicyMiddleware', 'nuages/ratelimit#RateLimitMiddleware'],
      SILENCED_SYSTEM_CHECKS: ['security.W018', 'security.W020'],
    });
    const stderr = sink();
    await callCommand('check', '--deploy', '--tag', 'security', { stdout: sink(), stderr });
    assert.equal(stderr.text, translate(DJANGO.report['silencedStderr']!));
  });
});

describe('deploy checks in detail', () => {
  test('the middleware are recognised by their Nuages paths, not by look-alikes', async () => {
    configure({
      SECRET_KEY: SCENARIOS.strongKey,
      ALLOWED_HOSTS: ['shop.example'],
      MIDDLEWARE: ['nuages/middleware/security#SecurityMiddleware', './middleware#XFrameOptionsMiddleware', 'nuages/middleware/csrf#CsrfViewMiddleware'],
    });
    const ids = (await deployMessages()).map((line) => JSON.parse(line)[0]);
    assert.deepEqual(ids, ['security.W002', 'security.W004', 'security.W008', 'security.W016']);
  });

  test('a SECRET_KEY of 50 characters but 4 distinct ones is weak; 50 varied ones are not', async () => {
    configure({ SECRET_KEY: 'abcd'.repeat(13) });
    assert.ok((await deployMessages()).some((line) => line.includes('security.W009')));
    resetSettings();
    configure({ SECRET_KEY: SCENARIOS.strongKey.slice(0, 50) });
    assert.ok(!(await deployMessages()).some((line) => line.includes('security.W009')));
  });

  test('a CSRF failure view that requires more than (request, { reason }) is security.E101', async () => {
    function refuse(_request: never, _params: { reason: string }, _template: string): null {
      return null;
    }
    configure({ SECRET_KEY: SCENARIOS.strongKey, CSRF_FAILURE_VIEW: refuse as never });
    const found = await runChecks({ tags: [Tags.security] });
    assert.deepEqual(
      found.map((m) => [m.id, m.msg]),
      [['security.E101', "The CSRF failure view 'refuse' does not take the correct number of arguments."]],
    );
  });
});
