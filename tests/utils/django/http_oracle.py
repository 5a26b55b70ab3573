"""Django 5.2's url_has_allowed_host_and_scheme on hostile and friendly URLs → http-cases.json.

Run: .venv-django/bin/python tests/utils/django/http_oracle.py
"""
import json
import pathlib

from django.utils.http import url_has_allowed_host_and_scheme

URLS = [
    "/books/", "/books/?page=2", "books/", "?next=/x", "#top", "", "   ", None,
    "http://testserver/x", "https://testserver/x", "//testserver/x", "http://evil.example/",
    "https://evil.example/", "//evil.example", "///evil.example", "////evil.example",
    "\\\\evil.example", "\\/evil.example", "/\\evil.example", "http:\\\\evil.example",
    "javascript:alert(1)", "JavaScript:alert(1)", "ftp://testserver/x", "http:///evil.example",
    "https:/evil.example", "http:evil.example", "\x08//evil.example", "\x00/x", " //evil.example",
    "\t//evil.example", "/\t/evil.example", "http://testserver:8000/x", "HTTP://testserver/x",
    "mailto:a@b.c", "data:text/html,x", "http://user@evil.example", "http://testserver@evil.example/",
    "/%2F%2Fevil.example", "https://TESTSERVER/x", "\u00a0//evil.example", "//testserver\\@evil.example",
]
cases = []
for url in URLS:
    for hosts in (["testserver"], []):
        for https in (False, True):
            cases.append({"url": url, "hosts": hosts, "requireHttps": https,
                          "allowed": url_has_allowed_host_and_scheme(url, set(hosts), https)})
(pathlib.Path(__file__).parent / "http-cases.json").write_text(json.dumps(cases, indent=1) + "\n")
print(len(cases), "cases")
