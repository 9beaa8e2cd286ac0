"""core.digest gives hashlib's digests without loading OpenSSL on the screening path."""

import hashlib
import subprocess
import sys
from pathlib import Path

from pcd_screen.core.digest import sha256


def test_the_same_digests_as_hashlib():
    for data in (b"", b"pcd-screen", bytes(range(256)) * 1000):
        assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    digest = sha256(b"a")
    digest.update(b"b")
    assert digest.hexdigest() == hashlib.sha256(b"ab").hexdigest()


def test_a_screening_does_not_import_hashlib():
    code = (
        "import sys; from pcd_screen.commands import main; sys.argv = ['pcd-screen', 'screen',"
        " '--fail-on', 'never', 'examples/border-control-transit-niger.yaml']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('hashlib' in sys.modules, file=sys.stderr)"
    )
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert run.stderr.strip().splitlines()[-1] == "False", run.stderr
