"""Signs the cases of signing-cases.json with Django 5.2 and checks what Nuages signed.

Writes signing-django.json for tests/core/signing.test.ts:
- `django`: for each case, what Django's dumps()/sign_object() gave at the cases'
  fixed clock (time.time patched), and the JSON bytes its serializer wrote;
- `verified`: for each value in nuages-signed.json (written by make-nuages-signed.ts),
  what Django's loads()/unsign_object() read from it, with the current key and the
  old one as a fallback, or the error it raised;
- `attacks`: Django's verdict on the tampered values the TypeScript test also tries.

Regenerate (after make-nuages-signed.ts):
  .venv-django/bin/python tests/core/django/signing_oracle.py
"""
import json
import math
import os
import time
import zlib

import django
from django.conf import settings

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "signing-cases.json"), encoding="utf-8") as f:
    SPEC = json.load(f)

settings.configure(SECRET_KEY=SPEC["key"], SECRET_KEY_FALLBACKS=[SPEC["oldKey"]])
django.setup()

from django.core import signing  # noqa: E402

time.time = lambda: SPEC["now"]


def key_of(case):
    return SPEC["oldKey"] if case.get("key") == "old" else SPEC["key"]


def sign(case):
    key = key_of(case)
    compress = case.get("compress", False)
    salt = case.get("salt")
    kind = case.get("signer")
    if kind in ("Signer", "TimestampSigner"):
        cls = getattr(signing, kind)
        return cls(key=key, salt=salt).sign_object(case["value"], compress=compress)
    return signing.dumps(case["value"], key=key, salt=salt or "django.core.signing", compress=compress)


def unsign(case, value, **kwargs):
    salt = case.get("salt")
    kind = case.get("signer")
    fallback = [SPEC["oldKey"]]
    if kind in ("Signer", "TimestampSigner"):
        cls = getattr(signing, kind)
        return cls(key=SPEC["key"], salt=salt, fallback_keys=fallback).unsign_object(value, **kwargs)
    return signing.loads(value, key=SPEC["key"], salt=salt or "django.core.signing", fallback_keys=fallback, **kwargs)


def payload_json(signed, kind):
    """The serializer's bytes inside a signed value, decompressed."""
    parts = signed.split(":")
    payload = parts[0]
    data = signing.b64_decode(payload.lstrip(".").encode())
    if payload.startswith("."):
        data = zlib.decompress(data)
    return data.decode("latin-1")


def jsonable(value):
    """NaN and infinities survive the trip as Python writes them (json allows them)."""
    return value


def outcome(fn):
    try:
        return {"value": fn()}
    except Exception as error:  # the class name is what the test compares
        return {"error": type(error).__name__}


django_side = {}
for case in SPEC["cases"]:
    signed = sign(case)
    django_side[case["name"]] = {"signed": signed, "json": payload_json(signed, case.get("signer"))}

with open(os.path.join(HERE, "nuages-signed.json"), encoding="utf-8") as f:
    nuages = json.load(f)
by_name = {case["name"]: case for case in SPEC["cases"]}
verified = {name: outcome(lambda: unsign(by_name[name], value)) for name, value in nuages.items()}

plain = django_side["dict"]["signed"]
payload, stamp, signature = plain.split(":")
attacks = {
    "wrong-salt": outcome(lambda: signing.loads(plain, salt="another.salt")),
    "tampered-payload": outcome(lambda: signing.loads(("f" if payload[0] != "f" else "g") + payload[1:] + ":" + stamp + ":" + signature)),
    "tampered-signature": outcome(lambda: signing.loads(plain[:-1] + ("A" if plain[-1] != "A" else "B"))),
    "expired": outcome(lambda: signing.loads(plain, max_age=-1)),
    "not-expired": outcome(lambda: signing.loads(plain, max_age=60)),
    "swapped-separator": outcome(lambda: signing.loads(plain.replace(":", "/"))),
    "wrong-key": outcome(lambda: signing.loads(plain, key="not-the-key")),
    "unsigned-garbage": outcome(lambda: signing.loads("not even close")),
}

with open(os.path.join(HERE, "signing-django.json"), "w", encoding="utf-8") as f:
    json.dump({"django": django_side, "verified": verified, "attacks": attacks}, f, indent=1, ensure_ascii=False)
    f.write("\n")
