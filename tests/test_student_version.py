import subprocess
import sys

import nbtools


def test_student_version_drops_solutions_and_keeps_the_rest(tmp_path):
    subprocess.run(
        [
            sys.executable,
            str(nbtools.ROOT / "scripts" / "make_student_version.py"),
            "--out",
            str(tmp_path),
        ],
        check=True,
    )
    for path in nbtools.chapters():
        original = nbtools.read(path)
        student = nbtools.read(tmp_path / path.name)
        kept = [
            c.source
            for c in original.cells
            if "solution" not in c.metadata.get("tags", [])
        ]
        assert len(kept) < len(original.cells), f"{path.name} has no solution cells"
        assert [c.source for c in student.cells] == kept
        assert not any(c.get("outputs") for c in student.cells if c.cell_type == "code")
