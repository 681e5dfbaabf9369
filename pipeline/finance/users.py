"""The portal's users: `SLA_USERS_FILE`, YAML `users: [{name, password_hash, role}]`.

Passwords are stored as scrypt hashes (`hashlib.scrypt`, a standard memory-hard KDF) with a random
16-byte salt per user: `scrypt$n=16384,r=8,p=1$<salt b64>$<hash b64>`. A role is `viewer` (reads and
downloads) or `approver` (also approves and issues).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.finance.errors import FinanceError
from pipeline.statements.files import atomic_write

ROLES = ("viewer", "approver")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_N, _R, _P, _LEN = 2**14, 8, 1, 32


@dataclass(frozen=True)
class User:
    name: str
    password_hash: str
    role: str


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN)
    return f"scrypt$n={_N},r={_R},p={_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, params, salt_b64, digest_b64 = stored.split("$")
        values = dict(item.split("=") for item in params.split(","))
        n, r, p = int(values["n"]), int(values["r"]), int(values["p"])
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except (ValueError, KeyError):
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(digest))
    return hmac.compare_digest(candidate, digest)


# Verified against when the user name is unknown, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = hash_password("not a password", salt=b"\x00" * 16)


def load_users(path: Path) -> dict[str, User]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    except (OSError, yaml.YAMLError) as exc:
        raise FinanceError(f"cannot read the users file {path}: {exc}") from exc
    users = {}
    for entry in data.get("users") or []:
        try:
            user = User(str(entry["name"]), str(entry["password_hash"]), str(entry["role"]))
        except (KeyError, TypeError) as exc:
            raise FinanceError(f"{path}: every user needs name, password_hash and role") from exc
        if user.role not in ROLES:
            raise FinanceError(f"{path}: user {user.name!r} has role {user.role!r}; roles are viewer, approver")
        users[user.name] = user
    return users


def authenticate(users: dict[str, User], name: str, password: str) -> User | None:
    user = users.get(name)
    ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    return user if ok and user is not None else None


def add_user(path: Path, name: str, role: str, password: str) -> User:
    """Add (or replace the password and role of) one user; the file is rewritten atomically."""
    if not _NAME.match(name or ""):
        raise FinanceError(f"user name {name!r} must be 1–64 letters, digits, '.', '_', '@' or '-'")
    if role not in ROLES:
        raise FinanceError(f"role must be viewer or approver, got {role!r}")
    if len(password) < 8:
        raise FinanceError("the password (read from stdin) must have at least 8 characters")
    users = load_users(path)
    users[name] = User(name, hash_password(password), role)
    text = yaml.safe_dump({"users": [u.__dict__ for u in users.values()]}, sort_keys=False, allow_unicode=True)
    atomic_write(path, text.encode("utf-8"))
    path.chmod(0o600)
    return users[name]


__all__ = ["ROLES", "User", "add_user", "authenticate", "hash_password", "load_users", "verify_password"]
