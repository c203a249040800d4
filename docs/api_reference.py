"""The API reference, generated from nyangtorch's own docstrings and signatures.

Every public name of every public module is listed once, where it lives: a second name for
the same object (``Conv2d`` for ``Conv``, ``nyangtorch.nyang_train`` for
``nyangtorch.train.nyang_train``) is an alias line pointing at that entry, not a second copy.
Docstrings are written in reST-flavoured plain text; :func:`doc_markdown` turns them into
Markdown (code spans, joined paragraphs, lists) so the site never shows raw markup.
tests/docs/test_api_reference.py fails when a public name has no docstring.
"""

from __future__ import annotations

import importlib
import inspect
import re
from functools import cache

PUBLIC_MODULES = [
    "nyangtorch", "nyangtorch.data", "nyangtorch.nn", "nyangtorch.nn.functional",
    "nyangtorch.optim", "nyangtorch.train", "nyangtorch.distributed", "nyangtorch.models",
    "nyangtorch.utils", "nyangtorch.metrics", "nyangtorch.eval", "nyangtorch.testing",
    "nyangtorch.compare",
]  # fmt: skip

# Which part of the workflow each module documents (the guide pages use this).
PARTS = {
    "data": ["nyangtorch.data"],
    "model": ["nyangtorch.nn", "nyangtorch.nn.functional", "nyangtorch.models"],
    "training": ["nyangtorch.optim", "nyangtorch.train", "nyangtorch.distributed"],
    "utility": ["nyangtorch.utils"],
    "evaluation": ["nyangtorch.metrics", "nyangtorch.eval"],
}

# Methods worth listing under a class: the layer, optimizer and scheduler contracts.
SHOWN_METHODS = ("forward", "backward", "step", "zero_grad", "get_lr", "get_last_lr", "lr_at")


def short_signature(obj) -> str:
    """``(in_channels, out_channels, kernel_size, stride=1)``: names and defaults, no types.

    Annotations make a signature three lines long; the docstring says what each argument is.
    """
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return ""
    params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    if params and params[0].name in ("self", "cls"):
        params = params[1:]
    return str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))


def full_signature(obj) -> str:
    """The signature with its annotations (string annotations resolved where possible)."""
    for kwargs in ({"eval_str": True}, {}):
        try:
            return str(inspect.signature(obj, **kwargs))
        except (NameError, TypeError, SyntaxError, ValueError):
            continue
    return ""


# -- docstrings as Markdown -------------------------------------------------------------------
_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|obj|exc|ref):`~?([^`]+)`")
_CODE = re.compile(r"``(.+?)``|`([^`]+)`")
_LIST_ITEM = re.compile(r"^(?:[-*•]|\d+[.)])\s+")


def _inline(text: str) -> str:
    """reST inline markup -> Markdown: roles and ``code`` become code spans; the characters
    Markdown would read as emphasis or (in Streamlit) LaTeX are escaped outside them."""
    text = _ROLE.sub(lambda m: f"``{m.group(1).split('.')[-1]}``", text)
    out, pos = [], 0
    for m in _CODE.finditer(text):
        out.append(escape_markdown(text[pos : m.start()]))
        code = m.group(1) if m.group(1) is not None else m.group(2)
        out.append(f"`{code}`")
        pos = m.end()
    out.append(escape_markdown(text[pos:]))
    return "".join(out)


def escape_markdown(text: str) -> str:
    """``text`` with the characters Markdown (or Streamlit's LaTeX) would interpret escaped."""
    return re.sub(r"([*$_~\\|<>#\[\]])", r"\\\1", text)


def _blocks(doc: str) -> list[list[str]]:
    """Paragraphs: runs of non-blank lines."""
    blocks, current = [], []
    for line in doc.splitlines():
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def doc_markdown(doc: str) -> str:
    """A docstring as Markdown: each paragraph one line (no hard wraps), lists kept as lists,
    literal blocks (after ``::``, or ``>>>`` sessions) as code blocks."""
    parts, literal_next = [], False
    for block in _blocks(inspect.cleandoc(doc or "")):
        if literal_next or block[0].lstrip().startswith(">>>") or block[0].startswith("    "):
            code = inspect.cleandoc("\n".join(block))
            parts.append(f"```python\n{code}\n```")
            literal_next = False
            continue
        if _LIST_ITEM.match(block[0].lstrip()):
            items: list[str] = []
            for line in block:
                if _LIST_ITEM.match(line.lstrip()):
                    items.append(_LIST_ITEM.sub("", line.lstrip()))
                else:  # a continuation line of the item above
                    items[-1] += " " + line.strip()
            parts.append("\n".join(f"- {_inline(item)}" for item in items))
            continue
        text = " ".join(line.strip() for line in block)
        literal_next = text.endswith("::")
        if literal_next:
            text = text[:-1]  # "Example::" reads "Example:" before its code block
        parts.append(_inline(text))
    return "\n\n".join(parts)


def first_paragraph(doc: str) -> str:
    """The first paragraph of a docstring, as Markdown (for method summaries)."""
    blocks = _blocks(inspect.cleandoc(doc or ""))
    return _inline(" ".join(line.strip() for line in blocks[0])) if blocks else ""


# -- entries -----------------------------------------------------------------------------------
def public_names(module_name: str) -> list[str]:
    """``__all__``, or for a module without one the functions and classes it defines itself
    or takes from a private module (``nn.functional.add`` lives in ``nn/combine.py``)."""
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        return [n for n in module.__all__ if not n.startswith("__")]
    names = []
    for name, obj in vars(module).items():
        if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        if getattr(obj, "__module__", "").startswith("nyangtorch") and home(obj) in (
            None,
            module_name,
        ):
            names.append(name)
    return names


@cache
def _homes() -> dict[int, tuple[str, str]]:
    """``id(obj) -> (module, name)`` of the entry that documents it: the public module whose
    name is the longest prefix of where the object is defined, under its own ``__name__``."""
    found: dict[int, list[tuple[str, str, object]]] = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not (callable(obj)):
                continue
            found.setdefault(id(obj), []).append((module_name, name, obj))
    homes = {}
    for key, places in found.items():
        obj = places[0][2]
        defined_in = getattr(obj, "__module__", "") or ""
        own_name = getattr(obj, "__name__", places[0][1])

        def score(place, defined_in=defined_in, own_name=own_name):
            module_name, name, _ = place
            prefix = defined_in == module_name or defined_in.startswith(module_name + ".")
            return (prefix, len(module_name) if prefix else 0, name == own_name)

        best = max(places, key=score)
        homes[key] = (best[0], best[1])
    return homes


def home(obj) -> str | None:
    """The public module whose entry documents ``obj`` (None if no ``__all__`` lists it)."""
    place = _homes().get(id(obj))
    return place[0] if place else None


def anchor(module_name: str, name: str) -> str:
    """The HTML anchor of an entry: ``nn-conv`` for ``nyangtorch.nn.Conv``."""
    short = module_name.removeprefix("nyangtorch").strip(".") or "top"
    return f"{short}-{name}".replace(".", "-").replace("_", "-").lower()


def entries(module_name: str) -> list[dict]:
    """The module's public names, each once. A name whose object is documented elsewhere (or
    under another name here) has ``alias_of`` set, ``"nyangtorch.nn.Conv"``, and no body.

    Keys: name, kind (class, function, constant), signature (short), full_signature, doc
    (Markdown), summary (its first paragraph), methods [(name, short signature, summary)],
    module (where it is defined), alias_of, anchor.
    """
    module = importlib.import_module(module_name)
    out = []
    for name in public_names(module_name):
        obj = getattr(module, name)
        if inspect.ismodule(obj):
            continue
        kind = "class" if inspect.isclass(obj) else "function" if callable(obj) else "constant"
        item = {
            "name": name,
            "kind": kind,
            "signature": "",
            "full_signature": "",
            "doc": "",
            "summary": "",
            "methods": [],
            "module": getattr(obj, "__module__", module_name)
            if kind != "constant"
            else module_name,
            "alias_of": None,
            "anchor": anchor(module_name, name),
        }
        place = _homes().get(id(obj)) if kind != "constant" else None
        if place is not None and place != (module_name, name):
            item["alias_of"] = f"{place[0]}.{place[1]}"
            item["target_anchor"] = anchor(*place)
            out.append(item)
            continue
        if kind == "constant":
            text = repr(obj)
            item["doc"] = f"`{text[:200]}{'…' if len(text) > 200 else ''}`"
        else:
            item["signature"] = short_signature(obj)
            item["full_signature"] = full_signature(obj)
            item["doc"] = doc_markdown(inspect.getdoc(obj) or "")
            item["summary"] = first_paragraph(inspect.getdoc(obj) or "")
        if inspect.isclass(obj):
            for meth_name in SHOWN_METHODS:
                meth = vars(obj).get(meth_name)
                if callable(meth):
                    item["methods"].append(
                        (meth_name, short_signature(meth), first_paragraph(meth.__doc__))
                    )
        out.append(item)
    return out


def module_doc(module_name: str) -> str:
    return doc_markdown(importlib.import_module(module_name).__doc__ or "")


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
        for name in public_names(module_name):
            obj = getattr(module, name)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and not own_docstring(obj):
                missing.append(f"{module_name}.{name}")
    return sorted(set(missing))
