"""No import cycles between project modules (scripts/import_cycles.py), and the script itself."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "import_cycles.py"

# Packages whose internal cycles would be tolerated: none (the review pipeline is one app without cycles).
CYCLES_TOLERATED_IN: frozenset[str] = frozenset()


def _script():
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


import_cycles = _script()


def _tolerated(cycle: list[str]) -> bool:
    return all(module.split(".")[0] in CYCLES_TOLERATED_IN for module in cycle)


def test_no_import_cycles_between_project_modules():
    cycles, graph = import_cycles.import_cycles(ROOT)
    failing = [cycle for cycle in cycles if not _tolerated(cycle)]
    assert failing == [], "\n".join(line for cycle in failing for line in import_cycles.describe(cycle, graph))


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_function_level_relative_and_from_package_imports_all_count(tmp_path):
    root = _tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/forms.py": "from .rules import limit\n",
        "shop/rules.py": "def limit():\n    from . import forms  # deferred, still a cycle\n",
        "shop/views.py": "from shop import forms\n",
        "stock/__init__.py": "",
        "stock/a.py": "import stock.sub.b\n",
        "stock/sub/__init__.py": "",
        "stock/sub/b.py": "from .. import a\n",
    })
    cycles, graph = import_cycles.import_cycles(root)
    assert cycles == [["shop.forms", "shop.rules"], ["stock.a", "stock.sub.b"]]
    assert {edge.target for edge in graph["shop.views"]} == {"shop.forms"}
    assert [line.strip() for line in import_cycles.describe(cycles[0], graph)] == [
        "cycle of 2 modules: shop.forms, shop.rules",
        "shop.forms -> shop.rules  (shop/forms.py:1)",
        "shop.rules -> shop.forms  (shop/rules.py:2)",
    ]


def test_tests_migrations_and_unimported_bench_scripts_are_aside(tmp_path):
    root = _tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": "",
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": "import shop.migrations\n",
        "tests/__init__.py": "",
        "tests/test_a.py": "import tests.test_b\n",
        "tests/test_b.py": "import tests.test_a\n",
        "bench/__init__.py": "",
        "bench/one.py": "import bench.two\n",
        "bench/two.py": "import bench.one\n",
    })
    cycles, graph = import_cycles.import_cycles(root)
    assert (cycles, sorted(graph)) == ([], ["shop", "shop.models"])


def test_a_bench_module_the_project_imports_counts(tmp_path):
    root = _tree(tmp_path, {
        "core/__init__.py": "",
        "core/command.py": "def handle():\n    from bench.scale import build\nPASSWORD = 'x'\n",
        "bench/__init__.py": "",
        "bench/scale.py": "from core.command import PASSWORD\n",
    })
    cycles, _graph = import_cycles.import_cycles(root)
    assert cycles == [["bench.scale", "core.command"]]


@pytest.mark.parametrize(("files", "code", "first_line"), [
    ({"shop/__init__.py": "", "shop/a.py": "from shop import b\n", "shop/b.py": "from shop import a\n"}, 1,
     "1 import cycles among 3 project modules (2 imports)"),
    ({"shop/__init__.py": "", "shop/a.py": "from shop import b\n", "shop/b.py": ""}, 0,
     "0 import cycles among 3 project modules (1 imports)"),
])
def test_the_script_prints_the_count_and_exits_1_on_a_cycle(tmp_path, files, code, first_line):
    root = _tree(tmp_path, files)
    result = subprocess.run([sys.executable, str(SCRIPT), "--root", str(root)], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.splitlines()[0]) == (code, first_line)
