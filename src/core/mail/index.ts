/**
 * `nuages/core/mail`: Django's django.core.mail.
 *
 * EmailMessage / EmailMultiAlternatives (message.ts) → `message()` composes MIME with
 * nodemailer (mime.ts) → a backend from EMAIL_BACKEND (connection.ts) sends it: 'smtp',
 * 'console' (the default: printed), 'file', 'locmem' (kept in `outbox`, for tests),
 * 'dummy'. One-call helpers: sendMail, sendMassMail, mailAdmins, mailManagers (send.ts),
 * sendTemplatedMail (templated.ts); sendMailLater (later.ts) queues sendMail as a task.
 * AdminEmailHandler mails 500s to ADMINS.
 *
 * ```ts
 * await sendMail('Your order', 'It ships tomorrow.', null, ['ada@example.com']);
 * ```
 */
export { EmailBackend, type EmailBackendOptions, type TextStream } from './backends/base.ts';
export { ConsoleEmailBackend, type ConsoleEmailBackendOptions } from './backends/console.ts';
export { DummyEmailBackend } from './backends/dummy.ts';
export { FileEmailBackend, type FileEmailBackendOptions } from './backends/file.ts';
export { LocmemEmailBackend, outbox } from './backends/locmem.ts';
export { SmtpEmailBackend, type SmtpEmailBackendOptions } from './backends/smtp.ts';
export { getConnection, routeMailToOutbox, type EmailBackendClass } from './connection.ts';
export { BadHeaderError, InvalidAddressError } from './errors.ts';
export {
  DEFAULT_ATTACHMENT_MIME_TYPE,
  EmailMessage,
  EmailMultiAlternatives,
  type EmailAlternative,
  type EmailAttachment,
  type EmailAttachmentInit,
  type EmailMessageInit,
} from './message.ts';
export { MimeMessage, type Envelope } from './mime.ts';
export {
  mailAdmins,
  mailManagers,
  sendMail,
  sendMassMail,
  type MailStaffOptions,
  type MassMailMessage,
  type SendMailOptions,
} from './send.ts';
export { renderTemplatedEmail, sendTemplatedMail, type TemplatedEmailOptions } from './templated.ts';
export { sendMailLater, type SendMailLaterOptions } from './later.ts';
export { AdminEmailHandler, adminEmailHandler, type AdminEmailHandlerOptions, type AdminEmailRecord } from './admin-email-handler.ts';
