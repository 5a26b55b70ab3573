/** The page of the auth benchmark: a minimal JSON answer naming the user when auth is on. */
import type { User } from '../../src/contrib/auth/index.ts';
import { JsonResponse, type HttpRequest } from '../../src/http/index.ts';
import { path } from '../../src/urls/index.ts';

export const urlpatterns = [
  path('me/', async (request: HttpRequest) => {
    if (typeof request.auser !== 'function') return new JsonResponse({ user: null });
    const user = await request.auser();
    return new JsonResponse({ user: user.isAuthenticated ? (user as User).username : null });
  }),
];
