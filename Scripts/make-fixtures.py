#!/usr/bin/env python3
"""Writes the reference fixtures under Tests/Fixtures/ with JAX (an implementation we did not write).

Each module in Scripts/fixtures/ (other than common.py) defines make(out) and writes its .npy files through
common.save. The tests read them without Python. Run: python3 -m pip install jax numpy && Scripts/make-fixtures.py
[MODULE …] (only the named modules, such as decoupled_distillation; all of them by default).
"""
import importlib
import pathlib
import sys

import jax

jax.config.update("jax_enable_x64", True)

here = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(here))
root = here.parent / "Tests" / "Fixtures"

for module_path in sorted((here / "fixtures").glob("*.py")):
    if module_path.stem in ("common", "__init__") or (sys.argv[1:] and module_path.stem not in sys.argv[1:]):
        continue
    module = importlib.import_module(f"fixtures.{module_path.stem}")
    out = root / module_path.stem
    out.mkdir(parents=True, exist_ok=True)
    module.make(out)
    print(f"wrote {out.relative_to(root.parent.parent)}")
