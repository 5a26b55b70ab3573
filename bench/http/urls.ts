/** The benchmark's URLconf: one JSON view, as a user would write it. */
import { JsonResponse } from '../../src/http/index.ts';
import { path } from '../../src/urls/index.ts';

export const urlpatterns = [path('hello/', () => new JsonResponse({ message: 'Hello, World!' }), { name: 'hello' })];
