/**
 * Errors of the test toolkit itself (not test failures, which are AssertionErrors).
 */
import { NuagesError } from '../core/errors.ts';

/**
 * A test helper called in a way that cannot give a meaningful answer: an unordered
 * queryset compared in order, a formset field named without a form index, a redirect
 * target the client cannot reach, `modifySettings()` on a setting that is not a list.
 */
export class TestToolMisuseError extends NuagesError {
  readonly code = 'NUAGES_TEST_MISUSE';
}
