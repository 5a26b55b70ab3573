/**
 * Sign-up, the staff corner, and Django's auth views with the shop's flash messages.
 * Login, logout, password change and reset are nuages/contrib/auth's views; their pages
 * are this app's templates/registration/*.html.
 */
import {
  login,
  PasswordChangeView,
  PasswordResetConfirmView,
  PasswordResetView,
  userPassesTest,
  type RequestUser,
  type User,
} from 'nuages/contrib/auth';
import { messages } from 'nuages/contrib/messages';
import { atomic } from 'nuages/db';
import type { HttpRequest, HttpResponse } from 'nuages/http';
import { redirect, render } from 'nuages/shortcuts';
import type { View } from 'nuages/views';
import { SignUpForm } from './forms.ts';
import { Profile } from './models.ts';

/**
 * `/accounts/register/`: a valid sign-up creates the user and their profile together, logs
 * them in (a new session key) and goes home with a welcome message.
 */
export async function register(request: HttpRequest): Promise<HttpResponse> {
  if (request.method !== 'POST') return render(request, 'accounts/register.html', { form: new SignUpForm() });
  const form = new SignUpForm({ data: request.POST });
  if (!(await form.isValid())) return render(request, 'accounts/register.html', { form });
  const user = await atomic(async () => {
    const created = await form.save();
    await Profile.objects.create({ user: created });
    return created;
  });
  await login(request, user);
  messages.success(request, `Welcome, ${user.username}! Your account is ready.`);
  return redirect('catalog:home');
}

type ViewClass = abstract new (...args: any[]) => View;

/**
 * Adds `text` as a success message when the view's POST succeeded, i.e. redirected
 * (Django's SuccessMessageMixin); an invalid form re-renders the page without it.
 */
function withSuccessMessage<B extends ViewClass>(Base: B, text: string) {
  abstract class WithSuccessMessage extends Base {
    override async dispatch(request: HttpRequest, params: Record<string, unknown>): Promise<any> {
      const response = await super.dispatch(request, params);
      if (request.method === 'POST' && response.status === 302) messages.success(request, text);
      return response;
    }
  }
  return WithSuccessMessage;
}

/** Asks for the email; the message does not say whether an account matched (no user enumeration). */
export class ShopPasswordResetView extends withSuccessMessage(
  PasswordResetView,
  'If an account uses that address, we have emailed it a link to choose a new password.',
) {}

export class ShopPasswordResetConfirmView extends withSuccessMessage(
  PasswordResetConfirmView,
  'Your password has been set. You can log in with it now.',
) {}

export class ShopPasswordChangeView extends withSuccessMessage(PasswordChangeView, 'Your password was changed.') {}

const isStaff = (user: RequestUser) => user.isAuthenticated && (user as User).isStaff;

/**
 * `/staff/`: the staff corner. Anyone not staff goes to the login page; within it, each link
 * shows only to those holding its permission (`{% if perms.catalog.add_book %}`).
 */
export const staffHome = userPassesTest(isStaff)(async function staffHome(request: HttpRequest): Promise<HttpResponse> {
  return render(request, 'accounts/staff.html', {});
});
