"""Encodes the message sets of message-cases.json with Django 5.2, and reads what Nuages wrote.

Writes messages-django.json for tests/contrib/messages/django-formats.test.ts:
- `cookies`, `json`, `sessions`: each set as Django's CookieStorage signs it at the cases'
  fixed clock (time.time patched), the JSON text inside that cookie, and the text
  SessionStorage keeps under `_messages`;
- `rotated`: the set `one` signed under the old key (read through SECRET_KEY_FALLBACKS);
- `overflow`: the overflow messages through CookieStorage alone (the newest that fit, then
  the not-finished marker) and through FallbackStorage (the oldest in the cookie, the rest
  in the session), with the messages each left unstored;
- `verified`: what Django's storages read from nuages-messages.json (written by
  make-nuages-messages.ts).

Regenerate (after make-nuages-messages.ts):
  .venv-django/bin/python tests/contrib/messages/django/messages_oracle.py
"""
import hashlib
import json
import os
import time
import zlib

import django
from django.conf import settings

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "message-cases.json"), encoding="utf-8") as f:
    SPEC = json.load(f)

settings.configure(
    SECRET_KEY=SPEC["secretKey"],
    SECRET_KEY_FALLBACKS=[SPEC["oldKey"]],
    INSTALLED_APPS=["django.contrib.messages"],
    USE_TZ=True,
)
django.setup()

from django.contrib.messages.storage.base import Message  # noqa: E402
from django.contrib.messages.storage.cookie import CookieStorage  # noqa: E402
from django.contrib.messages.storage.fallback import FallbackStorage  # noqa: E402
from django.contrib.messages.storage.session import SessionStorage  # noqa: E402
from django.core import signing  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils.safestring import SafeData, mark_safe  # noqa: E402

time.time = lambda: SPEC["now"]


def to_message(t):
    level, text, safe, extra_tags = t
    return Message(level, mark_safe(text) if safe else text, extra_tags)


def to_tuple(m):
    return [m.level, str(m.message), isinstance(m.message, SafeData), m.extra_tags]


def overflow_messages():
    def hex_of(text):
        return hashlib.sha256(text.encode()).hexdigest()

    spec = SPEC["overflow"]
    return [Message(spec["level"], f"message {i} {hex_of(str(i))}{hex_of(f'{i}b')}", "") for i in range(spec["count"])]


def inside_json(cookie):
    payload = cookie.split(":")[0]
    data = signing.b64_decode(payload.lstrip(".").encode())
    if payload.startswith("."):
        data = zlib.decompress(data)
    return data.decode("latin-1")


def request_with(cookie=None, session=None):
    request = HttpRequest()
    if cookie:
        request.COOKIES[CookieStorage.cookie_name] = cookie
    request.session = {} if session is None else session
    return request


def store(storage_class, messages):
    request = request_with()
    response = HttpResponse()
    unstored = storage_class(request)._store(messages, response)
    cookie = response.cookies[CookieStorage.cookie_name].value if CookieStorage.cookie_name in response.cookies else ""
    return {"cookie": cookie, "session": request.session.get(SessionStorage.session_key, ""), "unstored": [to_tuple(m) for m in unstored]}


def read(storage_class, cookie=None, session=None):
    try:
        messages, all_retrieved = storage_class(request_with(cookie, session))._get()
    except Exception as error:  # the class name is what the test compares
        return {"error": type(error).__name__}
    return {"messages": None if messages is None else [to_tuple(m) for m in messages], "allRetrieved": all_retrieved}


out = {"cookies": {}, "json": {}, "sessions": {}, "rotated": None, "overflow": {}, "verified": {}}
for name, tuples in SPEC["sets"].items():
    messages = [to_message(t) for t in tuples]
    cookie = CookieStorage(request_with())._encode(messages)
    out["cookies"][name] = cookie
    out["json"][name] = inside_json(cookie)
    out["sessions"][name] = SessionStorage(request_with()).serialize_messages(messages)

with override_settings(SECRET_KEY=SPEC["oldKey"], SECRET_KEY_FALLBACKS=[]):
    out["rotated"] = CookieStorage(request_with())._encode([to_message(t) for t in SPEC["sets"]["one"]])

overflow = overflow_messages()
out["overflow"]["cookie"] = store(CookieStorage, overflow)
out["overflow"]["fallback"] = store(FallbackStorage, overflow)

with open(os.path.join(HERE, "nuages-messages.json"), encoding="utf-8") as f:
    nuages = json.load(f)
for name, cookie in nuages["cookies"].items():
    out["verified"][name] = read(CookieStorage, cookie)
out["verified"]["overflowCookie"] = read(CookieStorage, nuages["overflowCookie"])
out["verified"]["fallback"] = read(FallbackStorage, nuages["fallback"]["cookie"], {SessionStorage.session_key: nuages["fallback"]["session"]})

with open(os.path.join(HERE, "messages-django.json"), "w", encoding="utf-8") as f:
    f.write(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
print("ok")
