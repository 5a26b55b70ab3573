"""The auth forms of Django 5.2 on fixed data → forms.json: each form's HTML unbound, and for
each case whether it is valid, its errors (message and code) and the cleaned username.

Run: .venv-django/bin/python tests/contrib/auth/django/forms_oracle.py
The TS side (tests/contrib/auth/forms.test.ts) builds the same users and validators.
"""
import json
import pathlib

import django
from django.conf import settings

VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
settings.configure(
    SECRET_KEY="forms-oracle-key", USE_TZ=True, TIME_ZONE="UTC",
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    AUTH_PASSWORD_VALIDATORS=VALIDATORS,
)
django.setup()
from django.core.management import call_command  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.contrib.auth import forms  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402

call_command("migrate", verbosity=0)
USERS = [
    {"username": "ada", "email": "ada@example.com", "password": "correct horse", "isActive": True},
    {"username": "sleepy", "email": "sleepy@example.com", "password": "dreaming away", "isActive": False},
]
for data in USERS:
    User.objects.create_user(data["username"], data["email"], data["password"], is_active=data["isActive"])

ALLOW_ALL = ["django.contrib.auth.backends.AllowAllUsersModelBackend"]
LONG = "x" * 151
CASES = [
    # UserCreationForm
    ("UserCreationForm", None, {"username": "newbie", "password1": "a long unusual phrase 42", "password2": "a long unusual phrase 42"}),
    ("UserCreationForm", None, {"username": "ｗｉｄｅ", "password1": "a long unusual phrase 42", "password2": "a long unusual phrase 42"}),
    ("UserCreationForm", None, {"username": "newbie", "password1": "a long unusual phrase 42", "password2": "a long unusual phrase 43"}),
    ("UserCreationForm", None, {"username": "ADA", "password1": "a long unusual phrase 42", "password2": "a long unusual phrase 42"}),
    ("UserCreationForm", None, {"username": "ada", "password1": "a long unusual phrase 42", "password2": "a long unusual phrase 42"}),
    ("UserCreationForm", None, {"username": "margaret", "password1": "margaret1", "password2": "margaret1"}),
    ("UserCreationForm", None, {"username": "numbers", "password1": "1234", "password2": "1234"}),
    ("UserCreationForm", None, {"username": "bad name!", "password1": "a long unusual phrase 42", "password2": "a long unusual phrase 42"}),
    ("UserCreationForm", None, {"username": LONG, "password1": "a long unusual phrase 42", "password2": "a long unusual phrase 42"}),
    ("UserCreationForm", None, {}),
    ("UserCreationForm", None, {"username": "spaces", "password1": " padded phrase 42 ", "password2": "padded phrase 42"}),
    ("BaseUserCreationForm", None, {"username": "ADA", "password1": "a long unusual phrase 42", "password2": "a long unusual phrase 42"}),
    ("BaseUserCreationForm", None, {"username": "ada", "password1": "a long unusual phrase 42", "password2": "a long unusual phrase 42"}),
    # AuthenticationForm
    ("AuthenticationForm", None, {"username": "ada", "password": "correct horse"}),
    ("AuthenticationForm", None, {"username": "ada", "password": "wrong"}),
    ("AuthenticationForm", None, {"username": "nobody", "password": "correct horse"}),
    ("AuthenticationForm", None, {"username": "sleepy", "password": "dreaming away"}),
    ("AuthenticationForm", ALLOW_ALL, {"username": "sleepy", "password": "dreaming away"}),
    ("AuthenticationForm", None, {"username": "", "password": ""}),
    ("AuthenticationForm", None, {"username": LONG, "password": "correct horse"}),
    ("AuthenticationForm", None, {"username": "ａｄａ", "password": "correct horse"}),
    # SetPasswordForm / PasswordChangeForm (for ada)
    ("SetPasswordForm", None, {"new_password1": "a long unusual phrase 42", "new_password2": "a long unusual phrase 42"}),
    ("SetPasswordForm", None, {"new_password1": "a long unusual phrase 42", "new_password2": "something else 42"}),
    ("SetPasswordForm", None, {"new_password1": "ada@example.com", "new_password2": "ada@example.com"}),
    ("SetPasswordForm", None, {"new_password1": "password", "new_password2": "password"}),
    ("PasswordChangeForm", None, {"old_password": "nope", "new_password1": "a long unusual phrase 42", "new_password2": "a long unusual phrase 42"}),
    ("PasswordChangeForm", None, {"old_password": "correct horse", "new_password1": "a long unusual phrase 42", "new_password2": "a long unusual phrase 42"}),
    ("PasswordChangeForm", None, {}),
    # PasswordResetForm
    ("PasswordResetForm", None, {"email": "ada@example.com"}),
    ("PasswordResetForm", None, {"email": "not an address"}),
    ("PasswordResetForm", None, {"email": ""}),
]


def build(name, data):
    cls = getattr(forms, name)
    ada = User.objects.get(username="ada")
    if name in ("SetPasswordForm", "PasswordChangeForm"):
        return cls(ada, data) if data is not None else cls(ada)
    return cls(data=data) if data is not None else cls()


cases = []
for name, backends, data in CASES:
    with override_settings(**({"AUTHENTICATION_BACKENDS": backends} if backends else {})):
        form = build(name, data)
        valid = form.is_valid()
        case = {"form": name, "backends": backends, "data": data, "valid": valid, "errors": form.errors.get_json_data()}
        # (A failed clean_username leaves username=None in Django's cleaned_data: not recorded.)
        if form.cleaned_data.get("username") is not None:
            case["cleanedUsername"] = form.cleaned_data["username"]
        cases.append(case)

html = {name: str(build(name, None)) for name in
        ["UserCreationForm", "AuthenticationForm", "SetPasswordForm", "PasswordChangeForm", "PasswordResetForm"]}
out = {"users": USERS, "validators": VALIDATORS, "html": html, "cases": cases}
(pathlib.Path(__file__).parent / "forms.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
print(len(cases), "cases")
