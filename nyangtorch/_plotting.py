"""matplotlib, imported only when something is drawn (it is an optional dependency)."""

from __future__ import annotations


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (draws to files, needs no screen), or an
    ImportError that says how to install it."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError("plots need matplotlib: pip install 'nyangtorch[plots]'") from error
    return plt
