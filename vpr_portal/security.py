"""Helpers of the security settings, importable from settings.py (nothing here touches Django's settings)."""

import os
import secrets
from email.utils import getaddresses
from pathlib import Path


def embedded_secret_key(path: Path) -> str:
    """The embedded install's own random key, made on first start and kept in a git-ignored file, so that
    no key from the repository ever signs a session. Where the file cannot be written (a read-only checkout)
    the key lives as long as the process."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        temporary.write_text(key, encoding="ascii")
        temporary.chmod(0o600)
        os.link(temporary, path)  # atomic: two processes starting at once end up with one key
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        return key
    finally:
        temporary.unlink(missing_ok=True)
    return key


def parse_admins(value: str) -> list[tuple[str, str]]:
    """ADMINS from "Имя <a@b.ru>, b@c.ru" as Django's (name, address) pairs; entries without an @ are dropped."""
    return [(name, address) for name, address in getaddresses([value]) if "@" in address]


def client_ip(request) -> str | None:
    """The client's address from the one trusted source (settings.TRUSTED_CLIENT_IP_HEADER, REMOTE_ADDR by
    default). A proxy appends the address it saw, so of a list the last entry is the one our proxy wrote."""
    import ipaddress

    from django.conf import settings

    value = request.META.get(settings.TRUSTED_CLIENT_IP_HEADER, "")
    address = value.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
