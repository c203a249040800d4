"""The API reference, generated from nyangtorch's own docstrings and signatures.

Every public name (the ``__all__`` of each public module) is listed with its signature and
docstring, so the reference cannot drift from the code; tests/docs/test_api_reference.py fails
when a public name has no docstring.
"""

from __future__ import annotations

import importlib
import inspect

PUBLIC_MODULES = [
    "nyangtorch", "nyangtorch.data", "nyangtorch.nn", "nyangtorch.optim", "nyangtorch.train",
    "nyangtorch.utils", "nyangtorch.metrics", "nyangtorch.eval", "nyangtorch.compare",
    "nyangtorch.distributed",
]  # fmt: skip

# Which part of the mission each module documents (the pages use this).
PARTS = {
    "data": ["nyangtorch.data"],
    "model": ["nyangtorch.nn"],
    "training": ["nyangtorch.optim", "nyangtorch.train", "nyangtorch.distributed"],
    "utility": ["nyangtorch.utils"],
    "evaluation": ["nyangtorch.metrics", "nyangtorch.eval"],
}


def signature(obj) -> str:
    """``(a: int, b: float = 1.0)``, with string annotations resolved where possible."""
    try:
        return str(inspect.signature(obj, eval_str=True))
    except (NameError, TypeError, SyntaxError, ValueError):
        pass
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return ""


def entries(module_name: str) -> list[dict]:
    """``[{name, kind, signature, doc, methods}]`` for the module's public names (not modules)."""
    module = importlib.import_module(module_name)
    out = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if inspect.ismodule(obj) or name.startswith("__"):
            continue
        kind = "class" if inspect.isclass(obj) else "function" if callable(obj) else "constant"
        text = signature(obj) if callable(obj) else ""
        methods = []
        if inspect.isclass(obj):
            for meth_name, meth in vars(obj).items():
                if meth_name in (
                    "forward",
                    "backward",
                    "step",
                    "zero_grad",
                    "__call__",
                    "get_lr",
                ) and callable(meth):
                    methods.append((meth_name, signature(meth)))
        doc = inspect.getdoc(obj) if kind != "constant" else ""
        out.append(
            {
                "name": name,
                "kind": kind,
                "signature": text,
                "doc": doc or "",
                "methods": methods,
                "module": obj.__module__ if kind != "constant" else module_name,
            }
        )
    return out


def all_entries() -> dict[str, list[dict]]:
    return {m: entries(m) for m in PUBLIC_MODULES}


def own_docstring(obj) -> str:
    """The object's own docstring: not inherited, and not the one dataclasses generate."""
    doc = vars(obj).get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    if not doc or (inspect.isclass(obj) and doc.startswith(f"{obj.__name__}(")):
        return ""
    return doc.strip()


def missing_docstrings() -> list[str]:
    """Public names (classes and functions) without a docstring of their own."""
    missing = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and not own_docstring(obj):
                missing.append(f"{module_name}.{name}")
    return sorted(set(missing))
