"""Builds the messages of message-cases.json with Django 5.2's EmailMessage and records
what a mail client would read from them.

Writes mail-django.json for tests/core/mail/messages-differential.test.ts:
- `messages`: per case, the MIME tree's shape, the headers decoded (addresses as
  [display name, address]), every leaf part (type, disposition, filename, content), and
  the SMTP envelope Django's smtp backend would use (sanitize_address, then the bare
  address smtplib sends);
- `refused`: per case, the exception message() raised (BadHeaderError, or none);
- `date`: formatdate() of the fixed instant `dateAt` (UTC, as EMAIL_USE_LOCALTIME=False);
- `adminEmail`: the mail AdminEmailHandler sends for a 500 logged by django.request (from
  an external and from an INTERNAL_IPS address): subject, sender, recipients, and which
  secrets its report shows masked.

MIME boundaries, Message-IDs and the choice of transfer encodings differ between the two
and are not compared; what the parts decode to is.

Regenerate:
  .venv-django/bin/python tests/core/mail/django/mail_oracle.py
"""
import base64
import json
import os
from email import message_from_bytes, policy
from email.utils import formatdate, parseaddr

import django
from django.conf import settings

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "message-cases.json"), encoding="utf-8") as f:
    SPEC = json.load(f)

urlpatterns = []  # the error report resolves the request's path
SECRETS = {"SECRET_KEY": "django-insecure-oracle-key", "EMAIL_HOST_PASSWORD": "smtp-pass-oracle"}
settings.configure(
    DEFAULT_FROM_EMAIL="webmaster@localhost",
    EMAIL_USE_LOCALTIME=False,
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ADMINS=[("Ada", "ada@example.com"), ("Grace", "grace@example.com")],
    SERVER_EMAIL="errors@example.com",
    INTERNAL_IPS=["10.0.0.7"],
    ALLOWED_HOSTS=["testserver"],
    DEBUG=False,
    ROOT_URLCONF=__name__,
    **SECRETS,
)
django.setup()

from django.core.mail import EmailMultiAlternatives  # noqa: E402
from django.core.mail.message import sanitize_address  # noqa: E402

ADDRESS_HEADERS = ("From", "To", "Cc", "Reply-To")


def content_of(spec):
    return spec["text"] if "text" in spec else base64.b64decode(spec["base64"])


def build(case):
    email = EmailMultiAlternatives(
        subject=case.get("subject", ""),
        body=case.get("body", ""),
        from_email=case.get("fromEmail"),
        to=case.get("to"),
        cc=case.get("cc"),
        bcc=case.get("bcc"),
        reply_to=case.get("replyTo"),
        headers=case.get("headers"),
        alternatives=case.get("alternatives"),
    )
    if case.get("contentSubtype"):
        email.content_subtype = case["contentSubtype"]
    for attachment in case.get("attachments", []):
        email.attach(attachment["filename"], content_of(attachment["content"]), attachment["mimetype"])
    return email


def shape(part):
    if part.is_multipart():
        return "%s(%s)" % (part.get_content_type(), ",".join(shape(p) for p in part.get_payload()))
    return part.get_content_type()


def leaf(part):
    payload = part.get_payload(decode=True)
    is_text = part.get_content_maintype() == "text"
    return {
        "contentType": part.get_content_type(),
        "charset": part.get_content_charset(),
        "disposition": part.get_content_disposition(),
        "filename": part.get_filename(),
        "text" if is_text else "base64": payload.decode("utf-8") if is_text else base64.b64encode(payload).decode(),
    }


def decoded_headers(parsed, case):
    names = ["Subject", *ADDRESS_HEADERS, "MIME-Version", *case.get("headers", {}).keys()]
    out = {}
    for name in dict.fromkeys(names):
        value = parsed[name]
        if value is None:
            continue
        if name in ADDRESS_HEADERS:
            out[name] = [[a.display_name, a.addr_spec] for a in value.addresses]
        else:
            out[name] = str(value)
    return out


def describe(case):
    email = build(case)
    raw = email.message().as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    return {
        "name": case["name"],
        "shape": shape(parsed),
        "headers": decoded_headers(parsed, case),
        "hasBcc": parsed["Bcc"] is not None,
        "hasDate": parsed["Date"] is not None,
        "hasMessageId": parsed["Message-ID"] is not None,
        "leaves": [leaf(p) for p in parsed.walk() if not p.is_multipart()],
        "envelope": {
            "from": parseaddr(sanitize_address(email.from_email, "utf-8"))[1],
            "to": [parseaddr(sanitize_address(a, "utf-8"))[1] for a in email.recipients()],
        },
    }


def refusal(case):
    full = {"subject": "ok", "body": "x", "to": ["ada@example.com"], **case}
    try:
        build(full).message()
    except Exception as error:  # noqa: BLE001 - the class name is what is recorded
        return {"name": case["name"], "raised": type(error).__name__}
    return {"name": case["name"], "raised": None}


def admin_email():
    import logging

    from django.core import mail
    from django.test import RequestFactory
    from django.utils.log import AdminEmailHandler

    logger = logging.getLogger("oracle.request")
    logger.propagate = False
    logger.addHandler(AdminEmailHandler())
    mail.outbox = []
    for address in ("203.0.113.9", "10.0.0.7"):
        request = RequestFactory().get(
            "/boom/", REMOTE_ADDR=address, HTTP_AUTHORIZATION="Bearer token-oracle", HTTP_COOKIE="sessionid=session-oracle"
        )
        try:
            raise ValueError("boom")
        except ValueError:
            logger.error("Internal Server Error: %s", request.path, exc_info=True, extra={"status_code": 500, "request": request})
    first = mail.outbox[0]
    leaked = [value for value in [*SECRETS.values(), "token-oracle", "session-oracle"] if value in first.body]
    return {
        "subjects": [m.subject for m in mail.outbox],
        "from": first.from_email,
        "to": first.to,
        "bodyStartsWith": first.body.split("\n\n")[0],
        "leaked": leaked,
        "alternatives": len(first.alternatives),
    }


result = {
    "django": django.get_version(),
    "messages": [describe(c) for c in SPEC["messages"]],
    "refused": [refusal(c) for c in SPEC["refused"]],
    "date": formatdate(SPEC["dateAt"], localtime=False),
    "adminEmail": admin_email(),
}
with open(os.path.join(HERE, "mail-django.json"), "w", encoding="utf-8") as f:
    json.dump(result, f, ensure_ascii=False, indent=2)
    f.write("\n")
print("wrote mail-django.json:", len(result["messages"]), "messages,", len(result["refused"]), "refusals")
