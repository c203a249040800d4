"""Progress bars with tqdm when it is installed; silent iteration when it is not."""

from __future__ import annotations


def progress_bar(
    iterable, description: str, enabled: bool = True, unit: str = "batch", leave: bool = False
):
    """``tqdm(iterable)`` with a description, or the iterable itself (tqdm is optional)."""
    if not enabled:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=description, unit=unit, leave=leave, dynamic_ncols=True)
