"""Runs password hashing and validation through Django 5.2 and writes the JSON
fixtures that tests/contrib/auth/hashers.test.ts and password-validation.test.ts read.

  hashers-django.json        hashes Django makes with every hasher (fixed salts, so
                             Nuages must produce the same strings), safe summaries,
                             must_update answers, and what Django refuses to hash.
  django-verified-nuages.json  Django's check_password on the hashes Nuages made
                             (nuages-hashes.json, from make_nuages_hashes.ts).
  validators-django.json     validator messages, codes and help texts on many inputs,
                             and difflib.SequenceMatcher scores.

Regenerate (the Nuages side first, so Django verifies fresh Nuages hashes):
  npx node tests/contrib/auth/django/make_nuages_hashes.ts
  .venv-django/bin/python tests/contrib/auth/django/passwords_oracle.py
"""
import difflib
import gzip
import json
import os
import random
import warnings

import django
from django.conf import settings

HERE = os.path.dirname(os.path.abspath(__file__))

settings.configure(
    SECRET_KEY="oracle",
    USE_I18N=True,
    LANGUAGE_CODE="en-us",
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.BCryptPasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ],
)
django.setup()
warnings.simplefilter("ignore")

from django.contrib.auth import hashers  # noqa: E402
from django.contrib.auth import password_validation as pv  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402


# Low work factors, as the Nuages tests use (the TS side builds the same subclasses).
class FastPBKDF2(hashers.PBKDF2PasswordHasher):
    iterations = 1000


class FastPBKDF2SHA1(hashers.PBKDF2SHA1PasswordHasher):
    iterations = 1000


class FastArgon2(hashers.Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 2


class FastBCryptSHA256(hashers.BCryptSHA256PasswordHasher):
    rounds = 4


class FastBCrypt(hashers.BCryptPasswordHasher):
    rounds = 4


class FastScrypt(hashers.ScryptPasswordHasher):
    work_factor = 2**10
    block_size = 8
    parallelism = 1


FAST = {
    "pbkdf2_sha256": (FastPBKDF2, {"iterations": 1000}),
    "pbkdf2_sha1": (FastPBKDF2SHA1, {"iterations": 1000}),
    "argon2": (FastArgon2, {"timeCost": 1, "memoryCost": 64, "parallelism": 2}),
    "bcrypt_sha256": (FastBCryptSHA256, {"rounds": 4}),
    "bcrypt": (FastBCrypt, {"rounds": 4}),
    "scrypt": (FastScrypt, {"workFactor": 2**10, "blockSize": 8, "parallelism": 1}),
    "md5": (hashers.MD5PasswordHasher, {}),
}
DEFAULT = {
    "pbkdf2_sha256": hashers.PBKDF2PasswordHasher,
    "pbkdf2_sha1": hashers.PBKDF2SHA1PasswordHasher,
    "argon2": hashers.Argon2PasswordHasher,
    "bcrypt_sha256": hashers.BCryptSHA256PasswordHasher,
    "bcrypt": hashers.BCryptPasswordHasher,
    "scrypt": hashers.ScryptPasswordHasher,
    "md5": hashers.MD5PasswordHasher,
}

PASSWORDS = [
    "hello",
    "pässwörd ☃ 日本 🔐",
    "",
    "x" * 50 + "é" * 20,  # 90 bytes: past bcrypt's 72
    "  spaces around  ",
    "dollar$sign%and'quote\"",
]
SALT = "oracleSaltOracleSalt22"  # 22 letters: 128 bits, as Django's own salts
BCRYPT_SALT_4 = "$2b$04$abcdefghijklmnopqrstuu"
BCRYPT_SALT_12 = "$2b$12$abcdefghijklmnopqrstuu"


def encode(hasher, algorithm, password, rounds_salt):
    if algorithm.startswith("bcrypt"):
        return hasher.encode(password, rounds_salt.encode())
    return hasher.encode(password, SALT)


def make_hashes():
    out = {"fast": [], "default": [], "refused": [], "extra": []}
    for algorithm, (cls, params) in FAST.items():
        hasher = cls()
        for password in PASSWORDS:
            try:
                encoded = encode(hasher, algorithm, password, BCRYPT_SALT_4)
            except ValueError as error:
                out["refused"].append({"algorithm": algorithm, "password": password, "error": str(error)})
                continue
            out["fast"].append({
                "algorithm": algorithm,
                "params": params,
                "password": password,
                "salt": BCRYPT_SALT_4 if algorithm.startswith("bcrypt") else SALT,
                "encoded": encoded,
                "verifies": hasher.verify(password, encoded),
                "wrongVerifies": hasher.verify(password + "!", encoded),
                "safeSummary": {str(k): v for k, v in hasher.safe_summary(encoded).items()},
                "mustUpdateWithDefault": DEFAULT[algorithm]().must_update(encoded),
                "mustUpdateWithFast": hasher.must_update(encoded),
            })
    # One hash per hasher at Django 5.2's real work factors.
    for algorithm, cls in DEFAULT.items():
        hasher = cls()
        password = "correct horse battery staple"
        encoded = encode(hasher, algorithm, password, BCRYPT_SALT_12)
        out["default"].append({
            "algorithm": algorithm,
            "password": password,
            "encoded": encoded,
            "safeSummary": {str(k): v for k, v in hasher.safe_summary(encoded).items()},
            "mustUpdate": hasher.must_update(encoded),
        })
    # Random salts made by make_password, and hashes Django has other ways to write.
    for algorithm in ["pbkdf2_sha256", "argon2", "scrypt", "md5"]:
        cls = FAST[algorithm][0]
        encoded = hashers.make_password("random salt", hasher=cls())
        out["extra"].append({"algorithm": algorithm, "password": "random salt", "encoded": encoded, "params": FAST[algorithm][1]})
    # A salt with less than 128 bits: must_update asks for a new hash.
    weak = FastPBKDF2().encode("weak salt", "abc")
    out["extra"].append({"algorithm": "pbkdf2_sha256", "password": "weak salt", "encoded": weak, "params": FAST["pbkdf2_sha256"][1],
                         "mustUpdateWithFast": FastPBKDF2().must_update(weak)})
    # argon2i and argon2d hashes (older Django releases wrote argon2i).
    import argon2
    for kind, type_ in [("argon2i", argon2.low_level.Type.I), ("argon2d", argon2.low_level.Type.D)]:
        raw = argon2.low_level.hash_secret(b"variety", SALT.encode(), time_cost=1, memory_cost=64, parallelism=2, hash_len=32, type=type_)
        encoded = "argon2" + raw.decode("ascii")
        out["extra"].append({"algorithm": "argon2", "password": "variety", "encoded": encoded, "params": FAST["argon2"][1],
                             "verifies": hashers.check_password("variety", encoded),
                             "mustUpdateWithFast": FastArgon2().must_update(encoded)})
    # $2a$ / $2y$ bcrypt prefixes (PHP and older libraries).
    for prefix in ["$2a$", "$2y$"]:
        import bcrypt
        raw = bcrypt.hashpw(b"prefix", (prefix + BCRYPT_SALT_4[4:]).encode())
        encoded = "bcrypt$" + raw.decode("ascii")
        out["extra"].append({"algorithm": "bcrypt", "password": "prefix", "encoded": encoded, "params": FAST["bcrypt"][1],
                             "verifies": hashers.check_password("prefix", encoded)})
    out["unusable"] = {"isUsable": hashers.is_password_usable(hashers.make_password(None)),
                       "length": len(hashers.make_password(None))}
    return out


def verify_nuages():
    path = os.path.join(HERE, "nuages-hashes.json")
    if not os.path.exists(path):
        print("no nuages-hashes.json: run make_nuages_hashes.ts first to check Nuages hashes in Django")
        return None
    with open(path, encoding="utf-8") as f:
        made = json.load(f)
    results = []
    for entry in made["hashes"]:
        results.append({
            "algorithm": entry["algorithm"],
            "password": entry["password"],
            "encoded": entry["encoded"],
            "djangoVerifies": hashers.check_password(entry["password"], entry["encoded"]),
            "djangoRejectsWrong": not hashers.check_password(entry["password"] + "!", entry["encoded"]),
            "identified": hashers.identify_hasher(entry["encoded"]).algorithm,
        })
    return results


# --- validators -----------------------------------------------------------

VALIDATORS = {
    "similarity": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    "length": "django.contrib.auth.password_validation.MinimumLengthValidator",
    "common": "django.contrib.auth.password_validation.CommonPasswordValidator",
    "numeric": "django.contrib.auth.password_validation.NumericPasswordValidator",
}

DEFAULT_USER = {"username": "testclient", "first_name": "Test", "last_name": "Client", "email": "testclient@example.com"}

CASES = [
    # (validators [(kind, options)], password, user fields or None)
    ([("length", {})], "", None),
    ([("length", {})], "short", None),
    ([("length", {})], "1234567", None),
    ([("length", {})], "12345678", None),
    ([("length", {})], "abcdef😀", None),  # 7 code points, 8 UTF-16 units
    ([("length", {"min_length": 1})], "", None),
    ([("length", {"min_length": 1})], "a", None),
    ([("length", {"min_length": 9})], "abc", None),
    ([("length", {"min_length": 0})], "", None),
    ([("common", {})], "password", None),
    ([("common", {})], "PassWord ", None),
    ([("common", {})], "  qwerty  ", None),
    ([("common", {})], "iloveyou", None),
    ([("common", {})], "correct horse battery staple", None),
    ([("common", {})], "Tr0ub4dor&3-x", None),
    ([("numeric", {})], "12345678901", None),
    ([("numeric", {})], "١٢٣٤٥٦٧٨٩٠", None),
    ([("numeric", {})], "²³¹", None),
    ([("numeric", {})], "12a", None),
    ([("numeric", {})], "", None),
    ([("numeric", {})], " 123", None),
    ([("numeric", {})], "½", None),
    ([("numeric", {})], "①②③", None),
    ([("similarity", {})], "testclient", DEFAULT_USER),
    ([("similarity", {})], "TestClient1", DEFAULT_USER),
    ([("similarity", {})], "example", DEFAULT_USER),
    ([("similarity", {})], "client", DEFAULT_USER),
    ([("similarity", {})], "Test", DEFAULT_USER),
    ([("similarity", {})], "tset", DEFAULT_USER),
    ([("similarity", {})], "xyzzy-plugh", DEFAULT_USER),
    ([("similarity", {})], "testclient", None),
    ([("similarity", {"max_similarity": 1.0})], "testclient", DEFAULT_USER),
    ([("similarity", {"max_similarity": 1.0})], "tsetclient", DEFAULT_USER),
    ([("similarity", {"max_similarity": 0.1})], "zz-top", DEFAULT_USER),
    ([("similarity", {"max_similarity": 0.3})], "example", DEFAULT_USER),
    ([("similarity", {"user_attributes": ["first_name"]})], "testclient", DEFAULT_USER),
    ([("similarity", {"user_attributes": ["first_name"]})], "Test", DEFAULT_USER),
    ([("similarity", {})], "a" * 60, {"username": "a", "first_name": "", "last_name": "", "email": ""}),
    ([("similarity", {})], "", {"username": "-x", "first_name": "", "last_name": "", "email": ""}),
    ([("similarity", {})], "Émilie2024", {"username": "émilie", "first_name": "", "last_name": "", "email": ""}),
    ([("similarity", {})], "lovelace", {"username": "ada", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}),
    ([("similarity", {})], "example.com", {"username": "ada", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}),
    ([("similarity", {}), ("length", {}), ("common", {}), ("numeric", {})], "123", DEFAULT_USER),
    ([("similarity", {}), ("length", {}), ("common", {}), ("numeric", {})], "12345678", DEFAULT_USER),
    ([("similarity", {}), ("length", {"min_length": 12}), ("common", {}), ("numeric", {})], "testclient", DEFAULT_USER),
    ([("similarity", {}), ("length", {}), ("common", {}), ("numeric", {})], "a-long enough Pass phrase", DEFAULT_USER),
]


def build(spec):
    return pv.get_password_validators([{"NAME": VALIDATORS[kind], "OPTIONS": options} for kind, options in spec])


def run_validators():
    results = []
    for spec, password, user_fields in CASES:
        validators = build(spec)
        user = User(**user_fields) if user_fields is not None else None
        try:
            pv.validate_password(password, user, validators)
            errors = None
        except ValidationError as error:
            errors = [{"message": str(e.message % e.params if e.params else e.message), "code": e.code} for e in error.error_list]
        results.append({
            "validators": [{"kind": kind, "options": options} for kind, options in spec],
            "password": password,
            "user": user_fields,
            "errors": errors,
        })
    every = [("similarity", {}), ("length", {}), ("common", {}), ("numeric", {})]
    help_cases = []
    for spec in [every, [("length", {"min_length": 1})], [("length", {"min_length": 12})], []]:
        validators = build(spec)
        help_cases.append({
            "validators": [{"kind": kind, "options": options} for kind, options in spec],
            "helpTexts": [str(t) for t in pv.password_validators_help_texts(validators)],
            "helpTextHtml": str(pv._password_validators_help_text_html(validators)),
        })
    return results, help_cases


def sequence_matcher_cases():
    rng = random.Random(20250)
    pairs = [("abcd", "bcde"), ("", ""), ("", "abc"), ("password", "pass"), ("testclient", "client"),
             ("qabxcd", "abycdf"), ("private Thread currentThread;", "private volatile Thread currentThread;"),
             ("😀a😀b", "a😀b😀"), ("aaaa", "aa")]
    for _ in range(60):
        alphabet = rng.choice(["ab", "abc", "abcdef", "abcdefghijklmnop", "aé😀 "])
        la = rng.randint(0, 30)
        lb = rng.randint(0, 30)
        pairs.append(("".join(rng.choice(alphabet) for _ in range(la)), "".join(rng.choice(alphabet) for _ in range(lb))))
    # b of 200+ elements: the autojunk heuristic drops popular elements.
    for _ in range(6):
        pairs.append(("".join(rng.choice("abcdefgh") for _ in range(rng.randint(50, 120))),
                      "".join(rng.choice("aaaaabcdefghij") for _ in range(rng.randint(200, 400)))))
    out = []
    for a, b in pairs:
        m = difflib.SequenceMatcher(a=a, b=b)
        out.append({
            "a": a, "b": b,
            "ratio": m.ratio(), "quickRatio": m.quick_ratio(), "realQuickRatio": m.real_quick_ratio(),
            "blocks": [list(block) for block in m.get_matching_blocks()],
        })
    return out


def main():
    hashes = make_hashes()
    write("hashers-django.json", hashes)
    verified = verify_nuages()
    if verified is not None:
        write("django-verified-nuages.json", verified)
        bad = [v for v in verified if not (v["djangoVerifies"] and v["djangoRejectsWrong"])]
        print(f"Django verified {len(verified) - len(bad)} of {len(verified)} Nuages hashes")
    cases, help_cases = run_validators()
    write("validators-django.json", {"cases": cases, "help": help_cases, "sequenceMatcher": sequence_matcher_cases()})


def write(name, data):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", name)


if __name__ == "__main__":
    main()
