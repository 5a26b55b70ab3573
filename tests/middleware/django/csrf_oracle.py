"""Django 5.2's CSRF protection on fixed requests → csrf.json.

Run: .venv-django/bin/python tests/middleware/django/csrf_oracle.py
The TS side (tests/middleware/csrf.test.ts) replays every request through Nuages's
CsrfViewMiddleware and expects the same verdict and reason, unmasks the tokens Django
masked, and sets the cookie with the same attributes.

Each case: the settings it overrides, the request (method, https or not, headers, cookies,
form fields, session contents or null for no session), and what Django's middleware did:
accepted, or rejected with the reason its failure view received.
"""
import json
import pathlib

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="csrf-oracle-key",
    ALLOWED_HOSTS=["testserver", "www.example.com", "example.com", "shop.example"],
    USE_TZ=True,
    INSTALLED_APPS=[],
    DATABASES={},
)
django.setup()

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.middleware import csrf  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

SECRET = "K8Yq3mZ1xWc7Rt0pLd5Vb2Nf9Hs4Gj6A"
OTHER_SECRET = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
assert len(SECRET) == len(OTHER_SECRET) == csrf.CSRF_SECRET_LENGTH

# Masked tokens Django made: the TS side must unmask each to its secret.
MASKED = [csrf._mask_cipher_secret(SECRET) for _ in range(4)] + [csrf._mask_cipher_secret(OTHER_SECRET) for _ in range(2)]
MASKS = [
    {"token": token, "secret": csrf._unmask_cipher_token(token)} for token in MASKED
]
# Fixed masks, so the masking arithmetic itself is compared (not only its inverse).
FIXED = [
    {"secret": SECRET, "mask": "0" * 32},
    {"secret": SECRET, "mask": "Z" * 32},
    {"secret": OTHER_SECRET, "mask": "zZyYxXwWvVuUtTsSrRqQpPoOnNmMlLkK"},
]
for entry in FIXED:
    chars = csrf.CSRF_ALLOWED_CHARS
    pairs = zip((chars.index(x) for x in entry["secret"]), (chars.index(x) for x in entry["mask"]))
    cipher = "".join(chars[(x + y) % len(chars)] for x, y in pairs)
    entry["token"] = entry["mask"] + cipher
    assert csrf._unmask_cipher_token(entry["token"]) == entry["secret"]

TOKEN = MASKED[0]
OTHER_TOKEN = MASKED[4]


class Recorder(csrf.CsrfViewMiddleware):
    """Django's middleware, with the failure view replaced by a note of the reason."""

    def _reject(self, request, reason):
        request.rejected_reason = reason
        return HttpResponse(status=403)


def post(**kw):
    return {"method": "POST", **kw}


CASES = [
    # Safe methods are never checked.
    {"name": "GET without cookie or token", "request": {"method": "GET"}},
    {"name": "HEAD without cookie or token", "request": {"method": "HEAD"}},
    {"name": "OPTIONS without cookie or token", "request": {"method": "OPTIONS"}},
    {"name": "TRACE without cookie or token", "request": {"method": "TRACE"}},
    # The secret and the token.
    {"name": "POST without a cookie", "request": post(post={"csrfmiddlewaretoken": TOKEN})},
    {"name": "POST with a cookie and no token", "request": post(cookies={"csrftoken": SECRET})},
    {"name": "POST with an empty form token and no header", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": ""})},
    {"name": "POST with a masked token", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN})},
    {"name": "POST with another masking of the same secret", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": MASKED[3]})},
    {"name": "POST with the unmasked secret as token", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": SECRET})},
    {"name": "POST with a token of another cookie", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": OTHER_TOKEN})},
    {"name": "POST with another unmasked secret", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": OTHER_SECRET})},
    {"name": "POST with a token of the wrong length", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN[:-1]})},
    {"name": "POST with a token with invalid characters", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN[:-1] + "!"})},
    {"name": "POST form token wins over the header", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": OTHER_TOKEN}, headers={"X-CSRFToken": TOKEN})},
    {"name": "POST with the token in the header", "request": post(cookies={"csrftoken": SECRET}, headers={"X-CSRFToken": TOKEN})},
    {"name": "POST with a wrong token in the header", "request": post(cookies={"csrftoken": SECRET}, headers={"X-CSRFToken": OTHER_TOKEN})},
    {"name": "POST with a short token in the header", "request": post(cookies={"csrftoken": SECRET}, headers={"X-CSRFToken": "abc"})},
    {"name": "POST with a bad-character header token", "request": post(cookies={"csrftoken": SECRET}, headers={"X-CSRFToken": "-" * 32})},
    {"name": "PUT with the token in the header", "request": {"method": "PUT", "cookies": {"csrftoken": SECRET}, "headers": {"X-CSRFToken": TOKEN}}},
    {"name": "DELETE without a token", "request": {"method": "DELETE", "cookies": {"csrftoken": SECRET}}},
    {"name": "PATCH with the unmasked secret in the header", "request": {"method": "PATCH", "cookies": {"csrftoken": SECRET}, "headers": {"X-CSRFToken": SECRET}}},
    {"name": "a cookie of the wrong length", "request": post(cookies={"csrftoken": SECRET[:-2]}, post={"csrfmiddlewaretoken": TOKEN})},
    {"name": "a cookie with invalid characters", "request": post(cookies={"csrftoken": SECRET[:-1] + "*"}, post={"csrfmiddlewaretoken": TOKEN})},
    {"name": "a masked cookie (Django before 4.0)", "request": post(cookies={"csrftoken": MASKED[1]}, post={"csrfmiddlewaretoken": TOKEN})},
    {"name": "CSRF_HEADER_NAME names another header", "settings": {"CSRF_HEADER_NAME": "HTTP_X_XSRF_TOKEN"},
     "request": post(cookies={"csrftoken": SECRET}, headers={"X-XSRF-TOKEN": OTHER_TOKEN})},
    {"name": "CSRF_HEADER_NAME: the default header is not read then", "settings": {"CSRF_HEADER_NAME": "HTTP_X_XSRF_TOKEN"},
     "request": post(cookies={"csrftoken": SECRET}, headers={"X-CSRFToken": TOKEN})},
    {"name": "CSRF_COOKIE_NAME renames the cookie", "settings": {"CSRF_COOKIE_NAME": "xsrf"},
     "request": post(cookies={"xsrf": SECRET}, post={"csrfmiddlewaretoken": TOKEN})},
    # Origin.
    {"name": "Origin of this host", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "http://testserver"})},
    {"name": "Origin of this host but https over http", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://testserver"})},
    {"name": "Origin of another site", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://evil.example"})},
    {"name": "Origin null", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "null"})},
    {"name": "a bad Origin is refused before the token is looked at", "request": post(headers={"Origin": "https://evil.example"})},
    {"name": "Origin over https", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://testserver"})},
    {"name": "Origin with the port of the Host", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Host": "shop.example:8443", "Origin": "https://shop.example:8443"})},
    {"name": "Origin without the port of the Host", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Host": "shop.example:8443", "Origin": "https://shop.example"})},
    {"name": "Origin of a disallowed Host", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Host": "evil.example", "Origin": "http://evil.example"})},
    {"name": "Origin in CSRF_TRUSTED_ORIGINS", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://app.partner.example"]},
     "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://app.partner.example"})},
    {"name": "a trusted Origin still needs the token", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://app.partner.example"]},
     "request": post(cookies={"csrftoken": SECRET}, headers={"Origin": "https://app.partner.example"})},
    {"name": "trusted origins compare the scheme", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://app.partner.example"]},
     "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "http://app.partner.example"})},
    {"name": "a wildcard trusted origin admits a subdomain", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://*.example.com"]},
     "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://api.example.com"})},
    {"name": "a wildcard trusted origin admits a deeper subdomain", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://*.example.com"]},
     "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://a.b.example.com"})},
    {"name": "a wildcard trusted origin admits the domain itself", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://*.example.com"]},
     "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://example.com"})},
    {"name": "a wildcard trusted origin refuses a lookalike", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://*.example.com"]},
     "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://evilexample.com"})},
    {"name": "a wildcard trusted origin refuses another scheme", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://*.example.com"]},
     "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "http://api.example.com"})},
    {"name": "a wildcard trusted origin with a port", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://*.example.com:8443"]},
     "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://api.example.com:8443"})},
    {"name": "a wildcard trusted origin with a port refuses another port", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://*.example.com:8443"]},
     "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://api.example.com"})},
    {"name": "an Origin with an unbalanced bracket", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://*.example.com"]},
     "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://[::1"})},
    # Referer, over https without Origin.
    {"name": "https without Origin or Referer", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN})},
    {"name": "http without Origin or Referer", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN})},
    {"name": "http with a foreign Referer (not checked over http)", "request": post(cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Referer": "https://evil.example/"})},
    {"name": "https with a same-host Referer", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Referer": "https://testserver/books/?page=2"})},
    {"name": "https with a foreign Referer", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Referer": "https://evil.example/path?q=1#frag"})},
    {"name": "https with an http Referer", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Referer": "http://testserver/"})},
    {"name": "https with a Referer without scheme", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Referer": "//testserver/"})},
    {"name": "https with a Referer that is a path", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Referer": "/books/"})},
    {"name": "https with a Referer with an unbalanced bracket", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Referer": "https://[::1/"})},
    {"name": "https with an upper-case Referer scheme", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Referer": "HTTPS://Evil.Example/x?"})},
    {"name": "the Referer is checked before the token", "request": post(secure=True, headers={"Referer": "https://evil.example/"})},
    {"name": "https Referer of a disallowed Host", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Host": "evil.example", "Referer": "https://evil.example/"})},
    {"name": "https Referer with the port of the Host", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Host": "shop.example:8443", "Referer": "https://shop.example:8443/cart/"})},
    {"name": "https Referer without the port of the Host", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Host": "shop.example:8443", "Referer": "https://shop.example/cart/"})},
    {"name": "https Referer of a trusted wildcard origin", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://*.partner.example"]},
     "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Referer": "https://pay.partner.example/done"})},
    {"name": "https Referer of an exact trusted origin", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://pay.partner.example"]},
     "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Referer": "https://pay.partner.example/done"})},
    {"name": "https Referer of a subdomain of an exact trusted origin", "settings": {"CSRF_TRUSTED_ORIGINS": ["https://pay.partner.example"]},
     "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Referer": "https://x.pay.partner.example/done"})},
    {"name": "https Referer within CSRF_COOKIE_DOMAIN", "settings": {"CSRF_COOKIE_DOMAIN": ".example.com"},
     "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Host": "www.example.com", "Referer": "https://blog.example.com/post"})},
    {"name": "https Referer outside CSRF_COOKIE_DOMAIN", "settings": {"CSRF_COOKIE_DOMAIN": ".example.com"},
     "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Host": "www.example.com", "Referer": "https://example.org/"})},
    {"name": "CSRF_COOKIE_DOMAIN with a non-default port", "settings": {"CSRF_COOKIE_DOMAIN": ".example.com"},
     "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Host": "www.example.com"}, meta={"SERVER_PORT": "8443"}, referer_port=True)},
    {"name": "CSRF_COOKIE_DOMAIN with a non-default port, Referer without it", "settings": {"CSRF_COOKIE_DOMAIN": ".example.com"},
     "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Host": "www.example.com", "Referer": "https://blog.example.com/"}, meta={"SERVER_PORT": "8443"})},
    {"name": "with sessions, SESSION_COOKIE_DOMAIN replaces CSRF_COOKIE_DOMAIN", "settings": {"CSRF_USE_SESSIONS": True, "SESSION_COOKIE_DOMAIN": ".example.com", "CSRF_COOKIE_DOMAIN": ".other.example"},
     "request": post(secure=True, session={"_csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Host": "www.example.com", "Referer": "https://blog.example.com/post"})},
    {"name": "Origin wins over Referer", "request": post(secure=True, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN}, headers={"Origin": "https://testserver", "Referer": "https://evil.example/"})},
    # The secret in the session.
    {"name": "CSRF_USE_SESSIONS with the token", "settings": {"CSRF_USE_SESSIONS": True},
     "request": post(session={"_csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN})},
    {"name": "CSRF_USE_SESSIONS ignores the cookie", "settings": {"CSRF_USE_SESSIONS": True},
     "request": post(session={}, cookies={"csrftoken": SECRET}, post={"csrfmiddlewaretoken": TOKEN})},
    {"name": "CSRF_USE_SESSIONS with a token of another session", "settings": {"CSRF_USE_SESSIONS": True},
     "request": post(session={"_csrftoken": SECRET}, post={"csrfmiddlewaretoken": OTHER_TOKEN})},
    {"name": "CSRF_USE_SESSIONS with a masked secret in the session", "settings": {"CSRF_USE_SESSIONS": True},
     "request": post(session={"_csrftoken": MASKED[2]}, post={"csrfmiddlewaretoken": TOKEN})},
    {"name": "CSRF_USE_SESSIONS without SessionMiddleware", "settings": {"CSRF_USE_SESSIONS": True},
     "request": post(post={"csrfmiddlewaretoken": TOKEN})},
]

for case in CASES:
    spec = case["request"]
    if spec.pop("referer_port", False):
        spec["headers"] = {**spec.get("headers", {}), "Referer": "https://blog.example.com:8443/"}


def build(spec):
    factory = RequestFactory()
    headers = dict(spec.get("headers", {}))
    cookies = spec.get("cookies", {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    method = spec["method"].lower()
    extra = dict(spec.get("meta", {}))
    if method in ("get", "head", "options", "trace", "delete"):
        request = getattr(factory, method)("/", secure=spec.get("secure", False), headers=headers, **extra)
    elif method == "post":
        request = factory.post("/", data=spec.get("post") or {}, secure=spec.get("secure", False), headers=headers, **extra)
    else:
        request = getattr(factory, method)("/", data=b"", secure=spec.get("secure", False), headers=headers, **extra)
    if spec.get("session") is not None:
        request.session = dict(spec["session"])
    return request


def run(case):
    request = build(case["request"])
    with override_settings(**case.get("settings", {})):
        middleware = Recorder(lambda r: HttpResponse())
        try:
            middleware.process_request(request)
            middleware.process_view(request, lambda r: HttpResponse(), (), {})
        except ImproperlyConfigured:
            return {"error": "ImproperlyConfigured"}
    reason = getattr(request, "rejected_reason", None)
    return {"accepted": reason is None, "reason": reason}


for case in CASES:
    case["expected"] = run(case)


def cookie_of(settings_overrides):
    """The Set-Cookie attributes Django gives a token that was used (get_token)."""
    with override_settings(**settings_overrides):
        request = RequestFactory().get("/")
        middleware = csrf.CsrfViewMiddleware(lambda r: HttpResponse())
        middleware.process_request(request)
        middleware.process_view(request, lambda r: HttpResponse(), (), {})
        csrf.get_token(request)
        response = middleware.process_response(request, HttpResponse())
        name = settings.CSRF_COOKIE_NAME
        morsel = response.cookies[name]
        return {
            "settings": settings_overrides,
            "name": name,
            "valueLength": len(morsel.value),
            "maxAge": morsel["max-age"],
            "expiresSet": bool(morsel["expires"]),
            "path": morsel["path"],
            "domain": morsel["domain"],
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
            "vary": response.get("Vary"),
        }


COOKIES = [
    cookie_of({}),
    cookie_of({"CSRF_COOKIE_NAME": "xsrf", "CSRF_COOKIE_AGE": 3600, "CSRF_COOKIE_DOMAIN": ".example.com", "CSRF_COOKIE_PATH": "/shop/",
               "CSRF_COOKIE_SECURE": True, "CSRF_COOKIE_HTTPONLY": True, "CSRF_COOKIE_SAMESITE": "Strict"}),
    cookie_of({"CSRF_COOKIE_SAMESITE": "None", "CSRF_COOKIE_SECURE": True}),
    cookie_of({"CSRF_COOKIE_AGE": None, "CSRF_COOKIE_SAMESITE": False}),
]

REASONS = {
    "REASON_BAD_ORIGIN": csrf.REASON_BAD_ORIGIN,
    "REASON_NO_REFERER": csrf.REASON_NO_REFERER,
    "REASON_BAD_REFERER": csrf.REASON_BAD_REFERER,
    "REASON_NO_CSRF_COOKIE": csrf.REASON_NO_CSRF_COOKIE,
    "REASON_CSRF_TOKEN_MISSING": csrf.REASON_CSRF_TOKEN_MISSING,
    "REASON_MALFORMED_REFERER": csrf.REASON_MALFORMED_REFERER,
    "REASON_INSECURE_REFERER": csrf.REASON_INSECURE_REFERER,
}

out = {
    "django": django.get_version(),
    "allowedChars": csrf.CSRF_ALLOWED_CHARS,
    "allowedHosts": settings.ALLOWED_HOSTS,
    "secret": SECRET,
    "masks": MASKS,
    "fixedMasks": FIXED,
    "reasons": REASONS,
    "cases": CASES,
    "cookies": COOKIES,
}
path = pathlib.Path(__file__).with_name("csrf.json")
path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {len(CASES)} cases, {len(COOKIES)} cookies to {path}")
