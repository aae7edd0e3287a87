"""Bundled handlers, one module per Stripe family; importing this package imports every module
in it, which registers their `@handles` functions."""

import importlib
import pkgutil

MODULES = sorted(info.name for info in pkgutil.iter_modules(__path__))
for _name in MODULES:
    importlib.import_module(f"{__name__}.{_name}")
