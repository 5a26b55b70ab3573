/**
 * The auth views, with Django's names, templates (`registration/*.html`) and URL names:
 * log in and out, change a password, reset a forgotten one by email.
 *
 * ```ts
 * import { authUrls } from 'nuages/contrib/auth/urls';
 * export const urlpatterns = [path('accounts/', include(authUrls)), …];
 * ```
 * Each view is a class: `LoginView.asView({ templateName: 'accounts/login.html' })`.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import type { HttpRequest } from '../../http/request.ts';
import { HttpResponseRedirect, type HttpResponse } from '../../http/response.ts';
import { render } from '../../shortcuts.ts';
import type { Params } from '../../urls/types.ts';
import { urlHasAllowedHostAndScheme } from '../../utils/http.ts';
import { addNeverCacheHeaders } from '../../utils/cache.ts';
import { View } from '../../views/base.ts';
import type { AbstractBaseUser } from './base-user.ts';
import { LoginRequiredMixin } from './decorators.ts';
import { AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm } from './forms.ts';
import { login, logout, updateSessionAuthHash } from './login.ts';
import { loginNotRequired, requestUser } from './middleware.ts';
import { REDIRECT_FIELD_NAME, resolvedLoginUrl, urlOrReverse } from './redirects.ts';
import { defaultTokenGenerator, uidDecode, type PasswordResetTokenGenerator } from './tokens.ts';
import { getUserModel } from './user-model.ts';

/** Pages that show a form for the current user must never come from a cache. */
function noStore(response: HttpResponse): HttpResponse {
  addNeverCacheHeaders(response);
  return response;
}

/** The safe `next` of the request (POST, then GET), or '' when absent or off-site. */
function safeNext(request: HttpRequest, field: string, allowedHosts: readonly string[]): string {
  const next = request.POST.get(field) ?? request.GET.get(field) ?? '';
  const hosts = [request.getHost(), ...allowedHosts];
  return urlHasAllowedHostAndScheme(next, hosts, request.isSecure()) ? next : '';
}

/**
 * Marks a view class `loginNotRequired` for LoginRequiredMiddleware. The flag goes on a
 * dispatch of the class's own: marking an inherited one would open every view sharing it.
 */
function openToAnonymous(cls: { prototype: View }): void {
  const inherited = cls.prototype.dispatch;
  const own = function (this: View, request: HttpRequest, params: Params) {
    return inherited.call(this, request, params);
  };
  Object.defineProperty(cls.prototype, 'dispatch', { value: loginNotRequired(own), writable: true, configurable: true });
}

/** Shared options of the views: the template and extra context. */
abstract class AuthTemplateView extends View {
  abstract templateName: string;
  extraContext: Record<string, unknown> = {};

  protected page(request: HttpRequest, context: Record<string, unknown>): Promise<HttpResponse> {
    return render(request, this.templateName, { site_name: request.getHost(), ...context, ...this.extraContext });
  }
}

/** Shows AuthenticationForm; a valid login goes to `next` (if on this site) or LOGIN_REDIRECT_URL. */
export class LoginView extends AuthTemplateView {
  templateName = 'registration/login.html';
  redirectFieldName = REDIRECT_FIELD_NAME;
  /** Send users who are already logged in on to the success URL. */
  redirectAuthenticatedUser = false;
  /** Hosts besides the request's that `next` may point to. */
  successUrlAllowedHosts: readonly string[] = [];
  nextPage: string | null = null;
  authenticationForm = AuthenticationForm;

  override async dispatch(request: HttpRequest, params: Params): Promise<HttpResponse> {
    if (this.redirectAuthenticatedUser && (await requestUser(request)).isAuthenticated) {
      return new HttpResponseRedirect(this.successUrl(request));
    }
    return noStore(await super.dispatch(request, params));
  }

  successUrl(request: HttpRequest): string {
    return safeNext(request, this.redirectFieldName, this.successUrlAllowedHosts) || urlOrReverse(this.nextPage ?? settingOr('LOGIN_REDIRECT_URL', '/accounts/profile/'), request);
  }

  async get(request: HttpRequest): Promise<HttpResponse> {
    return this.show(request, new this.authenticationForm({ request }));
  }

  async post(request: HttpRequest): Promise<HttpResponse> {
    const form = new this.authenticationForm({ request, data: request.POST });
    if (!(await form.isValid())) return this.show(request, form);
    await login(request, form.getUser()!);
    return new HttpResponseRedirect(this.successUrl(request));
  }

  protected show(request: HttpRequest, form: AuthenticationForm): Promise<HttpResponse> {
    return this.page(request, { form, [this.redirectFieldName]: safeNext(request, this.redirectFieldName, this.successUrlAllowedHosts) });
  }
}
openToAnonymous(LoginView);

/** Logs out on POST only (a GET link must not log anyone out), then redirects or shows logged_out.html. */
export class LogoutView extends AuthTemplateView {
  override httpMethodNames = ['post', 'options'];
  templateName = 'registration/logged_out.html';
  redirectFieldName = REDIRECT_FIELD_NAME;
  nextPage: string | null = null;
  successUrlAllowedHosts: readonly string[] = [];

  async post(request: HttpRequest): Promise<HttpResponse> {
    await logout(request);
    const target = safeNext(request, this.redirectFieldName, this.successUrlAllowedHosts) || (this.nextPage ?? settingOr<string | null>('LOGOUT_REDIRECT_URL', null));
    if (target) return new HttpResponseRedirect(urlOrReverse(target, request));
    return noStore(await this.page(request, { title: 'Logged out' }));
  }
}

/** PasswordChangeForm for the logged-in user; the session stays logged in after the change. */
export class PasswordChangeView extends LoginRequiredMixin(AuthTemplateView) {
  templateName = 'registration/password_change_form.html';
  successUrl = 'password_change_done';

  async get(request: HttpRequest): Promise<HttpResponse> {
    return this.show(request, new PasswordChangeForm((await requestUser(request)) as AbstractBaseUser));
  }

  async post(request: HttpRequest): Promise<HttpResponse> {
    const user = (await requestUser(request)) as AbstractBaseUser;
    const form = new PasswordChangeForm(user, { data: request.POST });
    if (!(await form.isValid())) return this.show(request, form);
    await form.save();
    await updateSessionAuthHash(request, user);
    return new HttpResponseRedirect(urlOrReverse(this.successUrl, request));
  }

  protected async show(request: HttpRequest, form: PasswordChangeForm): Promise<HttpResponse> {
    return noStore(await this.page(request, { form, title: 'Password change' }));
  }
}

/** "Your password was changed." */
export class PasswordChangeDoneView extends LoginRequiredMixin(AuthTemplateView) {
  templateName = 'registration/password_change_done.html';

  async get(request: HttpRequest): Promise<HttpResponse> {
    return this.page(request, { title: 'Password change successful' });
  }
}

/** Asks for an email address and sends reset links; the next page is the same whether or not it matched. */
export class PasswordResetView extends AuthTemplateView {
  templateName = 'registration/password_reset_form.html';
  emailTemplateName = 'registration/password_reset_email.html';
  subjectTemplateName = 'registration/password_reset_subject.txt';
  htmlEmailTemplateName: string | null = null;
  fromEmail: string | null = null;
  successUrl = 'password_reset_done';
  tokenGenerator: PasswordResetTokenGenerator = defaultTokenGenerator;
  extraEmailContext: Record<string, unknown> = {};

  async get(request: HttpRequest): Promise<HttpResponse> {
    return this.page(request, { form: new PasswordResetForm(), title: 'Password reset' });
  }

  async post(request: HttpRequest): Promise<HttpResponse> {
    const form = new PasswordResetForm({ data: request.POST });
    if (!(await form.isValid())) return this.page(request, { form, title: 'Password reset' });
    await form.save({
      request,
      useHttps: request.isSecure(),
      tokenGenerator: this.tokenGenerator,
      fromEmail: this.fromEmail,
      emailTemplateName: this.emailTemplateName,
      subjectTemplateName: this.subjectTemplateName,
      htmlEmailTemplateName: this.htmlEmailTemplateName,
      extraEmailContext: this.extraEmailContext,
    });
    return new HttpResponseRedirect(urlOrReverse(this.successUrl, request));
  }
}
openToAnonymous(PasswordResetView);

/** "We've emailed you instructions…" */
export class PasswordResetDoneView extends AuthTemplateView {
  templateName = 'registration/password_reset_done.html';

  async get(request: HttpRequest): Promise<HttpResponse> {
    return this.page(request, { title: 'Password reset sent' });
  }
}
openToAnonymous(PasswordResetDoneView);

/** The session key that holds a checked reset token between the link and the form. */
const RESET_SESSION_TOKEN = '_password_reset_token';
/** What replaces the token in the URL once it is in the session. */
export const RESET_URL_TOKEN = 'set-password';

/**
 * The link from the email. A valid token is moved into the session and the browser
 * redirected to a URL without it (so it cannot leak through the Referer header); there the
 * user sets a new password, which also makes the token invalid (it signs the old hash).
 */
export class PasswordResetConfirmView extends AuthTemplateView {
  templateName = 'registration/password_reset_confirm.html';
  successUrl = 'password_reset_complete';
  tokenGenerator: PasswordResetTokenGenerator = defaultTokenGenerator;
  /** Log the user in after the reset. */
  postResetLogin = false;

  override async dispatch(request: HttpRequest, params: Params): Promise<HttpResponse> {
    const { uidb64, token } = params as { uidb64: string; token: string };
    const user = await this.userFor(uidb64);
    if (user !== null) {
      if (token === RESET_URL_TOKEN) {
        const stored = await request.session.get<string>(RESET_SESSION_TOKEN);
        if (this.tokenGenerator.checkToken(user, stored)) return noStore(await this.form(request, user));
      } else if (this.tokenGenerator.checkToken(user, token)) {
        await request.session.set(RESET_SESSION_TOKEN, token);
        return new HttpResponseRedirect(request.path.replace(new RegExp(`${escapeRegExp(token)}/?$`), `${RESET_URL_TOKEN}/`));
      }
    }
    return noStore(await this.page(request, { validlink: false, form: null, title: 'Password reset unsuccessful' }));
  }

  protected async form(request: HttpRequest, user: AbstractBaseUser): Promise<HttpResponse> {
    if (request.method !== 'POST') return this.page(request, { validlink: true, form: new SetPasswordForm(user), title: 'Enter new password' });
    const form = new SetPasswordForm(user, { data: request.POST });
    if (!(await form.isValid())) return this.page(request, { validlink: true, form, title: 'Enter new password' });
    await form.save();
    await request.session.delete(RESET_SESSION_TOKEN);
    if (this.postResetLogin) await login(request, user);
    return new HttpResponseRedirect(urlOrReverse(this.successUrl, request));
  }

  protected async userFor(uidb64: string): Promise<AbstractBaseUser | null> {
    const pk = uidDecode(uidb64);
    if (pk === null) return null;
    try {
      return await getUserModel().objects.filter({ pk }).first();
    } catch {
      // A pk of the wrong shape for the model (text for an integer key) names nobody.
      return null;
    }
  }
}
openToAnonymous(PasswordResetConfirmView);

/** "Your password has been set." with a link to log in. */
export class PasswordResetCompleteView extends AuthTemplateView {
  templateName = 'registration/password_reset_complete.html';

  async get(request: HttpRequest): Promise<HttpResponse> {
    return this.page(request, { login_url: resolvedLoginUrl(), title: 'Password reset complete' });
  }
}
openToAnonymous(PasswordResetCompleteView);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
