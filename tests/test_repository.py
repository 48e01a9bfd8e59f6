"""Repository-wide rules: pinned tools, no forbidden packages, no data files committed."""

import re
import subprocess

import nbtools

FORBIDDEN = ("torchvision", "torchaudio", "torchtext")


def test_requirements_pin_jupyter_book_1_and_the_cpu_torch():
    requirements = (nbtools.ROOT / "requirements.txt").read_text()
    version = re.search(r"^jupyter-book==(\d+)\.", requirements, flags=re.M)
    assert version and version.group(1) == "1", "Jupyter Book 2 ignores _config.yml and _toc.yml: pin 1.x"
    assert re.search(r"^torch==2\.13\.0$", requirements, flags=re.M)


def test_no_torchvision_torchaudio_or_torchtext():
    texts = [(nbtools.ROOT / name).read_text() for name in ("requirements.txt", "pyproject.toml")]
    texts += ["\n".join(nbtools.code_sources(nbtools.read(p))) for p in nbtools.chapters()]
    texts += [p.read_text() for p in (nbtools.ROOT / "src").rglob("*.py")]
    for text in texts:
        for name in FORBIDDEN:
            assert not re.search(rf"^\s*(import|from)\s+{name}\b|^{name}\b", text, flags=re.M), name


def test_no_data_files_are_committed():
    listed = subprocess.run(["git", "ls-files"], cwd=nbtools.ROOT, capture_output=True, text=True)
    if listed.returncode != 0:  # not a git checkout (an exported tree): check what is on disk
        files = [str(p.relative_to(nbtools.ROOT)) for p in nbtools.ROOT.rglob("*") if p.is_file() and ".venv" not in p.parts]
    else:
        files = listed.stdout.split()
    data = [f for f in files if re.search(r"(-ubyte(\.gz)?|/ind\.\w+\.\w+|input\.txt)$", f)]
    assert not data, f"data files must not be committed: {data}"
