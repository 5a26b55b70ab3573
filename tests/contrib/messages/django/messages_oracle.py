"""Message cookies and session values written by Django 5.2 → messages.json.

Run: .venv-django/bin/python tests/contrib/messages/django/messages_oracle.py
"""
import json
import pathlib

import django
from django.conf import settings

settings.configure(SECRET_KEY="messages-oracle-key", INSTALLED_APPS=["django.contrib.messages"], USE_TZ=True)
django.setup()
from django.contrib.messages import constants  # noqa: E402
from django.contrib.messages.storage.base import Message  # noqa: E402
from django.contrib.messages.storage.cookie import CookieStorage  # noqa: E402
from django.contrib.messages.storage.session import SessionStorage  # noqa: E402
from django.http import HttpRequest  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402

SETS = {
    "one": [Message(constants.SUCCESS, "Saved.", "")],
    "mixed": [Message(constants.INFO, "Café <b>ok</b>", ""), Message(constants.ERROR, mark_safe("<em>Failed</em>"), "urgent"), Message(45, "custom", None)],
    "long": [Message(constants.WARNING, "x" * 300 + str(i), "") for i in range(3)],
}
out = {"cookies": {}, "sessions": {}, "payloads": {}}
for name, messages in SETS.items():
    storage = CookieStorage(HttpRequest())
    value = storage._encode(messages)
    out["cookies"][name] = value
    out["payloads"][name] = value.split(":")[0]
    session_storage = SessionStorage.__new__(SessionStorage)
    out["sessions"][name] = session_storage.serialize_messages(messages)
(pathlib.Path(__file__).parent / "messages.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
print("ok")
