/** The bookshop's forms. */
import { CharField, defineForm, EmailField, Textarea, ValidationError } from 'nuages/forms';

const MAX_LINKS = 2;

/** `/contact/`: a message to the shop, validated as Django would, links limited against spam. */
export class ContactForm extends defineForm({
  name: new CharField({ maxLength: 100 }),
  email: new EmailField({ helpText: 'We answer to this address.' }),
  subject: new CharField({ maxLength: 200 }),
  message: new CharField({ widget: new Textarea({ rows: 6 }), minLength: 10 }),
}) {
  cleanMessage(): string {
    const message = this.cleanedData.message;
    const links = message.match(/https?:\/\//g)?.length ?? 0;
    if (links > MAX_LINKS) {
      throw new ValidationError('Please include at most %(limit)s links.', { code: 'too_many_links', params: { limit: MAX_LINKS } });
    }
    return message;
  }
}
