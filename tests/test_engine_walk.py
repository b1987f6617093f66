"""The walk: every regular file no exclusion removes, with its size and time, in path order."""
from __future__ import annotations

import os
from pathlib import Path

from tracer import engine


def walked_by_os_walk(root: Path, excludes: tuple[str, ...]) -> list[tuple[str, int, int]]:
    excluded = engine.exclusion_matcher(excludes)
    found = []
    for folder, folders, files in os.walk(root):  # symbolic links to folders are not followed
        folders[:] = [name for name in folders if not excluded(name)]
        for name in files:
            path = Path(folder) / name
            info = path.lstat()
            if not excluded(name) and path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), info.st_size, info.st_mtime_ns))
    return sorted(found)


def test_the_walk_lists_regular_files_in_path_order_and_follows_no_link(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for path, text in {
        "b.py": "x = 1\n",
        "a/z.py": "",
        "a/b/c.go": "package c\n",
        "a-b/d.js": "d()\n",
        "node_modules/m/i.js": "i()\n",
        "app/test_x.py": "t\n",
        "app/x.py": "y = 2\n",
    }.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    (root / "link.py").symlink_to(root / "b.py")
    (root / "linked").symlink_to(root / "a", target_is_directory=True)
    (root / "dangling.py").symlink_to(root / "nowhere.py")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("s\n")
    (root / "out").symlink_to(outside, target_is_directory=True)

    walked = engine.walk_files(root, engine.DEFAULT_EXCLUDES)
    assert walked == walked_by_os_walk(root, engine.DEFAULT_EXCLUDES)
    assert [path for path, _, _ in walked] == ["a-b/d.js", "a/b/c.go", "a/z.py", "app/x.py", "b.py"]
    assert walked[-1][1] == len("x = 1\n")
    assert engine.walk_files(root, ()) == walked_by_os_walk(root, ())
