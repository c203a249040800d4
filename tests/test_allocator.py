"""The allocator tuning changes the whole process: never at import, only when asked."""

import subprocess
import sys


def run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_import_leaves_the_allocator_alone_and_the_call_tunes_once():
    out = run(
        "import nyangtorch, nyangtorch._allocator as a; print(a._tuned); "
        "print(nyangtorch.tune_allocator(), nyangtorch.tune_allocator(), a._tuned)"
    )
    assert out.splitlines() == ["None", "True True True"]
