"""SHA-256 and BLAKE2b for the package's digests (bundle entries, ruleset hash, fingerprints).

hashlib loads OpenSSL's library and configuration when it is imported: about 3 ms, 2 % of one
screening, for two algorithms CPython also builds in as their own small modules. Those are used
when the interpreter has them, hashlib otherwise; both give the same digests.
"""

try:
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

try:
    from _sha2 import sha256  # CPython 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256  # CPython 3.10 and 3.11
    except ImportError:
        from hashlib import sha256

__all__ = ["blake2b", "sha256"]
