/**
 * The forms of the auth views, with Django's field names (so POST data and templates
 * written for Django work), labels and messages: AuthenticationForm, UserCreationForm,
 * SetPasswordForm, PasswordChangeForm and PasswordResetForm.
 */
import { ValidationError } from '../../core/exceptions.ts';
import { renderTemplatedEmail } from '../../core/mail/index.ts';
import type { HttpRequest } from '../../http/request.ts';
import { BaseForm, type FormOptions } from '../../forms/forms.ts';
import { CharField, EmailField } from '../../forms/fields.ts';
import { ModelForm } from '../../forms/models.ts';
import { EmailInput, PasswordInput, TextInput, type Widget } from '../../forms/widgets.ts';
import { getLogger } from '../../utils/log.ts';
import { authenticate } from './authenticate.ts';
import type { AbstractBaseUser } from './base-user.ts';
import { User } from './models.ts';
import { passwordValidatorsHelpTextHtml, validatePassword } from './password-validation.ts';
import { defaultTokenGenerator, uidEncode, type PasswordResetTokenGenerator } from './tokens.ts';
import { getUserModel } from './user-model.ts';

const authLog = getLogger('nuages.contrib.auth');

const PASSWORD_MISMATCH = 'The two password fields didn’t match.';

/** A password input that keeps what was typed exactly (no stripping), as Django's. */
function passwordField(label: string, autocomplete: string, options: { helpText?: unknown; autofocus?: boolean } = {}): CharField {
  return new CharField({
    label,
    strip: false,
    helpText: options.helpText as string | undefined,
    widget: new PasswordInput({ autocomplete, ...(options.autofocus ? { autofocus: true } : {}) }),
  });
}

/**
 * The two fields that set a password (Django's SetPasswordMixin.create_password_fields):
 * the first explains the configured validators, the second asks for the same again.
 */
function newPasswordFields(label1: string, label2: string): Record<'first' | 'second', CharField> {
  return {
    first: passwordField(label1, 'new-password', { helpText: String(passwordValidatorsHelpTextHtml()) }),
    second: passwordField(label2, 'new-password', { helpText: 'Enter the same password as before, for verification.' }),
  };
}

/**
 * The login form's username field, labelled after the user model's username field. Its
 * maximum length shows in the widget and bounds normalisation but is not a validator, as
 * in Django: a too-long username is simply a failed login.
 */
function loginUsernameField(): UsernameField {
  const model = getUserModel();
  const modelField = model._meta.getField(model.USERNAME_FIELD) as unknown as { maxLength?: number | null };
  const name = verboseNameOfUsername();
  const field = new UsernameField({ label: name.charAt(0).toUpperCase() + name.slice(1), widget: new TextInput({ autofocus: true }) });
  field.maxLength = modelField.maxLength || 254;
  field.widget.attrs['maxlength'] = String(field.maxLength);
  return field;
}

/**
 * Django's UsernameField: Unicode-normalised (NFKC) so look-alike usernames compare equal,
 * with the browser told not to capitalise it. A value already over the maximum length is
 * left as typed (it fails validation anyway, and normalising never shortens it).
 */
export class UsernameField extends CharField {
  override toPython(value: unknown): string {
    const text = super.toPython(value) as string;
    if (this.maxLength !== null && [...text].length > this.maxLength) return text;
    return text.normalize('NFKC');
  }

  override widgetAttrs(widget: Widget): Record<string, string | boolean> {
    return { ...super.widgetAttrs(widget), autocapitalize: 'none', autocomplete: 'username' };
  }
}

/** Checks that two password fields agree (Django's SetPasswordMixin), then runs the validators. */
async function checkNewPassword(form: BaseForm, first: string, second: string, user: unknown): Promise<void> {
  const cleaned = form.cleanedData as Record<string, unknown>;
  const one = cleaned[first] as string | undefined;
  const two = cleaned[second] as string | undefined;
  if (one && two && one !== two) {
    form.addError(second, new ValidationError(PASSWORD_MISMATCH, { code: 'password_mismatch' }));
    return;
  }
  if (two) {
    try {
      await validatePassword(two, user);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      form.addError(second, error);
    }
  }
}

/** Options of AuthenticationForm: the request is passed to authenticate(). */
export interface AuthenticationFormOptions extends FormOptions {
  request?: HttpRequest | null;
}

/** Username and password; valid when they authenticate an active user (Django's AuthenticationForm). */
export class AuthenticationForm extends BaseForm {
  static errorMessages = {
    invalid_login: 'Please enter a correct %(username)s and password. Note that both fields may be case-sensitive.',
    inactive: 'This account is inactive.',
  };

  readonly request: HttpRequest | null;
  #user: AbstractBaseUser | null = null;

  constructor(options: AuthenticationFormOptions = {}) {
    super(options);
    this.request = options.request ?? null;
    this.fields['username'] = loginUsernameField();
    this.fields['password'] = passwordField('Password', 'current-password');
  }

  override async clean(): Promise<unknown> {
    const cleaned = this.cleanedData as Record<string, unknown>;
    const username = cleaned['username'];
    const password = cleaned['password'];
    if (username !== undefined && password !== undefined) {
      this.#user = await authenticate(this.request, { username, password });
      if (this.#user === null) throw this.invalidLoginError();
      this.confirmLoginAllowed(this.#user);
    }
    return cleaned;
  }

  /** Refuses inactive users (ModelBackend already does; AllowAllUsersModelBackend does not). */
  confirmLoginAllowed(user: AbstractBaseUser): void {
    if ((user as unknown as { isActive?: boolean }).isActive === false) {
      throw new ValidationError(AuthenticationForm.errorMessages.inactive, { code: 'inactive' });
    }
  }

  invalidLoginError(): ValidationError {
    return new ValidationError(AuthenticationForm.errorMessages.invalid_login, {
      code: 'invalid_login',
      params: { username: verboseNameOfUsername() },
    });
  }

  /** The authenticated user, after a successful `isValid()`. */
  getUser(): AbstractBaseUser | null {
    return this.#user;
  }
}

/** The username field's verbose name ('username' for Django's User). */
function verboseNameOfUsername(): string {
  const model = getUserModel();
  const field = model._meta.getField(model.USERNAME_FIELD) as unknown as { verboseName?: string; name: string };
  return field.verboseName ?? field.name.replaceAll('_', ' ');
}

/**
 * A new user from a username and a password typed twice, checked by the password
 * validators (Django's BaseUserCreationForm). `save()` stores the hashed password.
 */
export class BaseUserCreationForm extends ModelForm<User> {
  static override model = User;
  static override fields = ['username'];
  static override fieldClasses = { username: UsernameField };
  static override declaredFields = {
    password1: passwordField('Password', 'new-password'),
    password2: passwordField('Password confirmation', 'new-password'),
  };

  constructor(options: FormOptions & { instance?: User | null } = {}) {
    super(options);
    // Built per form, so the help text follows AUTH_PASSWORD_VALIDATORS as it is now.
    const { first, second } = newPasswordFields('Password', 'Password confirmation');
    this.fields['password1'] = first;
    this.fields['password2'] = second;
    const usernameField = (this.instance.constructor as typeof User).USERNAME_FIELD;
    const username = this.fields[usernameField] as CharField | undefined;
    if (username?.widget) username.widget.attrs['autofocus'] = true;
  }

  protected override async _postClean(): Promise<void> {
    await super._postClean();
    await checkNewPassword(this, 'password1', 'password2', this.instance);
  }

  override async save(options: { commit?: boolean } = {}): Promise<User> {
    const user = await super.save({ commit: false });
    await user.setPassword((this.cleanedData as Record<string, string>)['password1']!);
    if (options.commit !== false) {
      await user.save();
      await this.saveM2m();
    }
    return user;
  }
}

/** BaseUserCreationForm that also refuses a username differing only in case (Django's UserCreationForm). */
export class UserCreationForm extends BaseUserCreationForm {
  async cleanUsername(): Promise<string> {
    const username = (this.cleanedData as Record<string, string>)['username']!;
    const model = this.instance.constructor as typeof User;
    if (username && (await model.objects.filter({ username__iexact: username }).exists())) {
      throw new ValidationError('A user with that username already exists.', { code: 'unique' });
    }
    return username;
  }
}

/** Sets a user's password without asking for the old one (the reset confirmation step). */
export class SetPasswordForm extends BaseForm {
  readonly user: AbstractBaseUser;

  constructor(user: AbstractBaseUser, options: FormOptions = {}) {
    super(options);
    this.user = user;
    const { first, second } = newPasswordFields('New password', 'New password confirmation');
    this.fields['new_password1'] = first;
    this.fields['new_password2'] = second;
  }

  protected override async _postClean(): Promise<void> {
    await checkNewPassword(this, 'new_password1', 'new_password2', this.user);
  }

  async save(options: { commit?: boolean } = {}): Promise<AbstractBaseUser> {
    const password = (this.cleanedData as Record<string, string>)['new_password1']!;
    await this.user.setPassword(password);
    if (options.commit !== false) await this.user.save();
    return this.user;
  }
}

/** SetPasswordForm that first asks for the current password (Django's PasswordChangeForm). */
export class PasswordChangeForm extends SetPasswordForm {
  constructor(user: AbstractBaseUser, options: FormOptions = {}) {
    super(user, options);
    const fields = this.fields;
    this.fields = {
      old_password: passwordField('Old password', 'current-password', { autofocus: true }),
      new_password1: fields['new_password1']!,
      new_password2: fields['new_password2']!,
    };
  }

  async cleanOldPassword(): Promise<string> {
    const old = (this.cleanedData as Record<string, string>)['old_password']!;
    if (!(await this.user.checkPassword(old))) {
      throw new ValidationError('Your old password was entered incorrectly. Please enter it again.', { code: 'password_incorrect' });
    }
    return old;
  }
}

/** Options of `PasswordResetForm.save()` (Django's names, camelCased). */
export interface PasswordResetSaveOptions {
  domainOverride?: string | null;
  subjectTemplateName?: string;
  emailTemplateName?: string;
  htmlEmailTemplateName?: string | null;
  useHttps?: boolean;
  tokenGenerator?: PasswordResetTokenGenerator;
  fromEmail?: string | null;
  request?: HttpRequest | null;
  extraEmailContext?: Record<string, unknown>;
}

/**
 * Asks for an email address and mails a one-use reset link to every active user with a
 * usable password registered under it. It says nothing about whether an account exists:
 * the page after it is the same either way (no user enumeration).
 */
export class PasswordResetForm extends BaseForm {
  constructor(options: FormOptions = {}) {
    super(options);
    this.fields['email'] = new EmailField({ label: 'Email', maxLength: 254, widget: new EmailInput({ autocomplete: 'email' }) });
  }

  /** The users a reset for `email` goes to: active, with a usable password, email equal ignoring case. */
  async getUsers(email: string): Promise<AbstractBaseUser[]> {
    const model = getUserModel();
    const emailField = model.getEmailFieldName();
    const candidates = await model.objects.filter({ [`${emailField}__iexact`]: email, isActive: true });
    const wanted = email.normalize('NFKC').toLowerCase();
    return candidates.filter((user) => {
      const address = String((user as unknown as Record<string, unknown>)[emailField] ?? '');
      return user.hasUsablePassword() && address.normalize('NFKC').toLowerCase() === wanted;
    });
  }

  /**
   * Sends the reset emails with `renderTemplatedEmail()` (the subject on one line, the
   * HTML alternative when `htmlEmailTemplateName` is given). As Django, each user's mail
   * is sent on its own and a failure is logged (`nuages.contrib.auth`), not thrown, so the
   * page does not tell whether an account exists. Resolves to the number of mails sent.
   */
  async save(options: PasswordResetSaveOptions = {}): Promise<number> {
    const email = (this.cleanedData as Record<string, string>)['email']!;
    const request = options.request ?? null;
    const domain = options.domainOverride ?? (request ? request.getHost() : 'localhost');
    const generator = options.tokenGenerator ?? defaultTokenGenerator;
    const model = getUserModel();
    const emailField = model.getEmailFieldName();
    let sent = 0;
    for (const user of await this.getUsers(email)) {
      const context = {
        email: (user as unknown as Record<string, unknown>)[emailField],
        domain,
        site_name: domain,
        uid: uidEncode(user.pk),
        user,
        token: generator.makeToken(user),
        protocol: options.useHttps ? 'https' : 'http',
        ...(options.extraEmailContext ?? {}),
      };
      const message = await renderTemplatedEmail({
        subjectTemplate: options.subjectTemplateName ?? 'registration/password_reset_subject.txt',
        textTemplate: options.emailTemplateName ?? 'registration/password_reset_email.html',
        htmlTemplate: options.htmlEmailTemplateName ?? null,
        context,
        fromEmail: options.fromEmail ?? null,
        to: [String(context.email)],
      });
      try {
        sent += await message.send();
      } catch (error) {
        authLog.error(`Failed to send password reset email to ${String(user.pk)}`, { error });
      }
    }
    return sent;
  }
}
