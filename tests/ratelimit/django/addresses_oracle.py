"""Client addresses as Django 5.2 and Python's ipaddress treat them → addresses.json.

Run: .venv-django/bin/python tests/ratelimit/django/addresses_oracle.py
The TS side (tests/ratelimit/ip.test.ts) parses, prints, masks and matches the same
strings with src/ratelimit/ip.ts and expects the same answers:

- valid: whether Django's validate_ipv46_address accepts the string;
- text: Django's clean_ipv6_address(unpack_ipv4=True) for IPv6 (IPv4-mapped addresses
  become IPv4), the string itself for IPv4;
- networks: the first address of the address's network at each prefix, as
  django-ratelimit computes its keys (ipaddress.ip_network(f'{ip}/{mask}', strict=False));
- contains: ipaddress's `address in network` for TRUSTED_PROXIES-style entries;
- network_valid: whether ip_network(entry, strict=False) accepts a TRUSTED_PROXIES entry;
- status: the reason phrase Django sends with 429.
"""
import ipaddress
import json
import pathlib

import django
from django.conf import settings

settings.configure()
django.setup()

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.validators import validate_ipv46_address  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.utils.ipv6 import clean_ipv6_address  # noqa: E402

ADDRESSES = [
    "1.2.3.4", "255.255.255.255", "0.0.0.0", "203.0.113.77", "010.1.1.1", "1.2.3", "1.2.3.4.5", "256.1.1.1",
    "::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "2001:db8:0:0:1:0:0:1", "1:0:0:2:0:0:0:3",
    "0:0:1::", "1:0:0:0:1:0:0:0", "::ffff:1.2.3.4", "::FFFF:0102:0304", "::ffff:203.0.113.77",
    "::1.2.3.4", "64:ff9b::1.2.3.4", "2001:db8:85a3:8d3:1319:8a2e:370:7348", "fe80::abcd:ef12:3456:789a",
    "2001:0db8:0000:0000:0000:ff00:0042:8329", "gggg::1", "1::2::3", "12345::", ":::", " 1.2.3.4", "1.2.3.4 ", "",
]
V4_PREFIXES = [32, 24, 16, 1, 0]
V6_PREFIXES = [128, 64, 56, 48, 1, 0]

NETWORKS = [
    "10.0.0.0/8", "192.168.1.0/24", "127.0.0.1", "0.0.0.0/0", "203.0.113.64/26",
    "2001:db8::/32", "::1", "fd00::/8", "::/0", "2001:db8:85a3:8d3::/64",
]
NETWORK_ENTRIES = [
    "10.0.0.0/8", "10.1.2.3/8", "10.0.0.0/32", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8/8",
    "2001:db8::/32", "2001:db8::/129", "::1", "localhost", "10.0.0.0/x", "",
]


def unpacked(text):
    """The address as the rate limiter keys it: IPv4-mapped IPv6 becomes IPv4."""
    if ":" in text:
        return ipaddress.ip_address(clean_ipv6_address(text, unpack_ipv4=True))
    return ipaddress.ip_address(text)


addresses = []
valid_addresses = []
for text in ADDRESSES:
    try:
        validate_ipv46_address(text)
        valid = True
    except ValidationError:
        valid = False
    entry = {"input": text, "valid": valid}
    if valid:
        address = unpacked(text)
        valid_addresses.append(address)
        entry["text"] = str(address)
        prefixes = V4_PREFIXES if address.version == 4 else V6_PREFIXES
        entry["networks"] = {
            str(prefix): str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address) for prefix in prefixes
        }
    addresses.append(entry)

contains = []
for network_text in NETWORKS:
    network = ipaddress.ip_network(network_text, strict=False)
    for address in valid_addresses:
        contains.append({"address": str(address), "network": network_text, "in": address.version == network.version and address in network})


def network_valid(text):
    try:
        ipaddress.ip_network(text, strict=False)
        return True
    except ValueError:
        return False


fixture = {
    "django": django.get_version(),
    "addresses": addresses,
    "contains": contains,
    "network_valid": {text: network_valid(text) for text in NETWORK_ENTRIES},
    "status": {"429": HttpResponse(status=429).reason_phrase},
}
out = pathlib.Path(__file__).with_name("addresses.json")
out.write_text(json.dumps(fixture, indent=1) + "\n")
print(f"wrote {out} ({len(addresses)} addresses, {len(contains)} membership cases)")
