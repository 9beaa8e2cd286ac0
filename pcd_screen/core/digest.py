"""SHA-256 for the package's digests (ruleset hash, fingerprints).

hashlib loads OpenSSL's library and configuration when it is imported: about 3 ms, 2 % of one
screening, for an algorithm CPython also builds in as its own small module. That is used when
the interpreter has it, hashlib otherwise; both give the same digests.
"""

try:
    from _sha2 import sha256  # CPython 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256  # CPython 3.10 and 3.11
    except ImportError:
        from hashlib import sha256

__all__ = ["sha256"]
