"""Repository-wide rules: pinned tools, declared dependencies, no forbidden packages,
no data files committed."""

import ast
import re
import subprocess
import sys

import tomllib

import nbtools

FORBIDDEN = ("torchvision", "torchaudio", "torchtext")


def test_requirements_pin_jupyter_book_1_and_the_cpu_torch():
    requirements = (nbtools.ROOT / "requirements.txt").read_text()
    version = re.search(r"^jupyter-book==(\d+)\.", requirements, flags=re.M)
    assert version and version.group(1) == "1", (
        "Jupyter Book 2 ignores _config.yml and _toc.yml: pin 1.x"
    )
    assert re.search(r"^torch==2\.13\.0$", requirements, flags=re.M)


def test_no_torchvision_torchaudio_or_torchtext():
    texts = [
        (nbtools.ROOT / name).read_text()
        for name in ("requirements.txt", "pyproject.toml")
    ]
    texts += [
        "\n".join(nbtools.code_sources(nbtools.read(p))) for p in nbtools.chapters()
    ]
    texts += [p.read_text() for p in (nbtools.ROOT / "src").rglob("*.py")]
    for text in texts:
        for name in FORBIDDEN:
            assert not re.search(
                rf"^\s*(import|from)\s+{name}\b|^{name}\b", text, flags=re.M
            ), name


def test_no_data_files_are_committed():
    listed = subprocess.run(
        ["git", "ls-files"], cwd=nbtools.ROOT, capture_output=True, text=True
    )
    if listed.returncode != 0:  # not a git checkout: check what is on disk
        files = [
            str(p.relative_to(nbtools.ROOT))
            for p in nbtools.ROOT.rglob("*")
            if p.is_file() and ".venv" not in p.parts
        ]
    else:
        files = listed.stdout.split()
    data = [
        f for f in files if re.search(r"(-ubyte(\.gz)?|/ind\.\w+\.\w+|input\.txt)$", f)
    ]
    assert not data, f"data files must not be committed: {data}"


# imported only to see whether it is there (notebook progress bars), never required
OPTIONAL = {"ipywidgets"}
# import name -> distribution name, where they differ
DISTRIBUTIONS = {"sklearn": "scikit-learn", "IPython": "ipython", "yaml": "pyyaml"}


def imported_modules(source: str) -> set[str]:
    """Top-level modules a piece of code imports (IPython magics left out)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith("%")]
    modules = set()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def test_the_package_declares_what_the_chapters_import():
    """A plain `pip install` of nnhistory (Colab's set-up cell) runs every chapter."""
    project = tomllib.loads((nbtools.ROOT / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[<>=!~ \[]", d)[0].lower() for d in project["dependencies"]}
    sources = [p.read_text() for p in (nbtools.ROOT / "src").rglob("*.py")]
    sources += [
        "\n".join(nbtools.code_sources(nbtools.read(p))) for p in nbtools.chapters()
    ]
    imported = set().union(*(imported_modules(s) for s in sources))
    third_party = imported - set(sys.stdlib_module_names) - {"nnhistory"} - OPTIONAL
    needed = {DISTRIBUTIONS.get(module, module).lower() for module in third_party}
    assert needed <= declared, (
        f"add to pyproject's dependencies: {sorted(needed - declared)}"
    )
