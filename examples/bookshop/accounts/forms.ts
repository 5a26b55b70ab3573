/** The sign-up form: Django's UserCreationForm plus a required email (password resets go there). */
import { UserCreationForm } from 'nuages/contrib/auth';
import type { CharField } from 'nuages/forms';

/**
 * Username, email and the password typed twice. The password runs through
 * AUTH_PASSWORD_VALIDATORS (Django's messages: too short, too common, entirely numeric,
 * too similar to the username or email).
 */
export class SignUpForm extends UserCreationForm {
  static override fields = ['username', 'email'];

  constructor(...args: ConstructorParameters<typeof UserCreationForm>) {
    super(...args);
    // Optional on Django's User (blank=True), required here: it is how a user gets back in.
    (this.fields['email'] as CharField).required = true;
  }
}
