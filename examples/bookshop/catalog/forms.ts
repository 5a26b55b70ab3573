/** The bookshop's forms. */
import { maxFileSizeValidator } from 'nuages/core/files';
import { CharField, defineForm, EmailField, formfieldFor, modelForm, Textarea, ValidationError } from 'nuages/forms';
import { Book } from './models.ts';

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

/** The largest cover image the staff may upload, in bytes (2 MiB). */
export const MAX_COVER_SIZE = 2 * 1024 * 1024;

/**
 * `/staff/books/…`: a book's editable fields, its cover an optional upload (the "Clear" box
 * removes it). The model's ImageField becomes the forms' ImageField, which reads the bytes
 * (a text file renamed `.png` is refused); the form adds a size limit.
 */
export const BookForm = modelForm(Book, {
  fields: ['title', 'isbn', 'price', 'rating', 'pages', 'publishedDate', 'publisher', 'authors', 'cover'],
  helpTexts: { cover: 'An image (PNG, JPEG, GIF, WebP…) of at most 2 MB.' },
  formfieldCallback: (field, options) =>
    formfieldFor(field, field.name === 'cover' ? { ...options, validators: [maxFileSizeValidator(MAX_COVER_SIZE)] } : options),
});
