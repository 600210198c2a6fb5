"""Tokens at rest, encrypted with Fernet (the `cryptography` package).

Keys come from settings.TOKEN_ENCRYPTION_KEYS (MAILLAGE_TOKEN_KEYS, newest first): the first
encrypts, every one decrypts, so a new key can be put in front and the tokens re-encrypted
with `maillage rotate_tokens` before the old key is dropped (docs/publishing.md). Without
configured keys one is derived from SECRET_KEY, so a default install works out of the box.
"""

from __future__ import annotations

import base64
from functools import cache, lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class TokenKeyError(RuntimeError):
    """A stored token that none of the configured keys opens."""


def _derived_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"maillage tokens v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode("utf-8")))


@cache
def _fernet(keys: tuple[str, ...], secret: str) -> MultiFernet:
    materials = [key.encode("ascii") for key in keys] or [_derived_key(secret)]
    return MultiFernet([Fernet(key) for key in materials])


def token_cipher() -> MultiFernet:
    return _fernet(tuple(settings.TOKEN_ENCRYPTION_KEYS), settings.SECRET_KEY)


def token_encrypt(value: str) -> str:
    if not value:
        return ""
    return token_cipher().encrypt(value.encode("utf-8")).decode("ascii")


def token_decrypt(stored: str) -> str:
    if not stored:
        return ""
    return _opened(token_cipher(), stored)


# The worker opens an account's token for every post it sends: each opening checks the
# token's signature, which cost as much as preparing the post. Remembered per set of keys,
# so a key taken out of the settings stops opening what only it could open.
@lru_cache(maxsize=1024)
def _opened(cipher: MultiFernet, stored: str) -> str:
    try:
        return cipher.decrypt(stored.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise TokenKeyError("No configured key decrypts this token") from exc


def token_rotate(stored: str) -> str:
    """The same token encrypted with the first key (unchanged when empty)."""
    if not stored:
        return ""
    try:
        return token_cipher().rotate(stored.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise TokenKeyError("No configured key decrypts this token") from exc


def token_key_generate() -> str:
    return Fernet.generate_key().decode("ascii")
