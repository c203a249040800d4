"""Models from another version: does each loaded layer have what its class now expects?

A model file stores each layer's attributes, not its code. If a newer nyangtorch adds an
attribute to a class (``self.groups = groups`` in ``Conv.__init__``), a layer pickled by an
older version lacks it, and the first forward pass fails with a bare ``AttributeError`` far
from the file that caused it. Loading checks instead, and names the version that wrote the
file.

What "the class expects" is read from the class's own ``__init__`` source (no instance is
built: that would allocate weights of sizes the file chooses): the attributes it assigns
(``self.x = …``, ``self.a, self.b = …``, ``self.register_buffer("name", …)``) in statements
of its body that always run — not inside ``if``, ``for``, ``try`` or ``with`` — following
``super().__init__(…)`` up the class's bases. An attribute that only some configurations
set is therefore never demanded: the check can miss a problem, but never refuses a good
file. Nor is one the class itself gives a default for (``Conv.next_pool = None``): that is
how an option added later keeps older files loading. Classes without readable source are
not checked.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap

from ..nn.module import NyangModel


def missing_attributes(model: NyangModel) -> list[str]:
    """``"Linear (layer 0.2): in_features, out_features"`` for each layer of ``model`` that
    lacks attributes its class's ``__init__`` always sets and the class has no default for."""
    problems = []
    for name, module in _named_modules(model, ""):
        cls = type(module)
        unset = expected_attributes(cls) - vars(module).keys()
        missing = sorted(a for a in unset if not hasattr(cls, a))
        if missing:
            where = f" (layer {name})" if name else ""
            problems.append(f"{type(module).__name__}{where}: {', '.join(missing)}")
    return problems


def _named_modules(module: NyangModel, prefix: str):
    yield prefix, module
    for name, child in module.children():
        yield from _named_modules(child, f"{prefix}.{name}" if prefix else name)


def expected_attributes(cls: type) -> frozenset[str]:
    """The attributes that ``cls.__init__`` (and the ``super().__init__`` it calls) always set."""
    names: set[str] = set()
    for owner in cls.__mro__:  # super().__init__ goes to the next class here that defines one
        if owner is object or "__init__" not in vars(owner):
            continue
        assigned, calls_super = _init_assignments(vars(owner)["__init__"])
        names |= assigned
        if not calls_super:
            break
    return frozenset(names)


@functools.cache  # by function, not class: a class's __init__ may be replaced (in tests)
def _init_assignments(init) -> tuple[frozenset[str], bool]:
    """The ``self`` attributes assigned by ``init``'s top-level statements, and whether one of
    those statements is ``super().__init__(…)``."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    except (OSError, TypeError, SyntaxError):  # built-in, generated or source-less: no demands
        return frozenset(), False
    function = tree.body[0]
    if not isinstance(function, ast.FunctionDef) or not function.args.args:
        return frozenset(), False
    self_name = function.args.args[0].arg
    names, calls_super = set(), False
    for statement in function.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                names |= _self_attributes(target, self_name)
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            if _is_super_init(call):
                calls_super = True
            elif _is_register_buffer(call, self_name):
                names.add(call.args[0].value)
    return frozenset(names), calls_super


def _self_attributes(target: ast.expr, self_name: str) -> set[str]:
    if isinstance(target, ast.Tuple | ast.List):
        return set().union(*(_self_attributes(t, self_name) for t in target.elts))
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == self_name
    ):
        return {target.attr}
    return set()


def _is_super_init(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__init__"
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "super"
    )


def _is_register_buffer(call: ast.Call, self_name: str) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "register_buffer"
        and isinstance(func.value, ast.Name)
        and func.value.id == self_name
        and bool(call.args)
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    )
