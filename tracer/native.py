"""The classifier's per-ticket path compiled to C with mypyc, used only where the build is current.

`build()` (`make native`, which `make test` and `make bench` run) compiles `MODULES` from this
checkout, and the C extensions `C_MODULES` (the matcher's scanner, tracer/_scan.c), into
build/native/, with a manifest of every source the compiled code was built
from and its SHA-256. On import, the package (tracer/__init__.py) looks there first only
when the manifest matches the sources byte for byte and the running Python: an edited
module runs as plain Python until the next build, never as a stale one. VIBEWARD_NATIVE=0
turns it off. The results are the same either way (tests/test_native.py compares them
ticket by ticket, evidence included); only the speed differs (docs/classifier.md).

An installed wheel has no build/native beside it and runs the plain modules.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import json
import os
import sys
import time
from collections.abc import MutableSequence
from pathlib import Path
from typing import Any

# The modules a ticket goes through, in import order. Not tracer.model: its dataclasses are
# shared with every other module, and its __init__ trick (model.py) needs a __dict__.
MODULES = ("speedups", "textnorm", "lexicon", "frameworks", "risk", "classify")
# Extensions written in C, by module name: the matcher's per-character work (tracer/_scan.c).
C_MODULES = ("_scan",)
ENV_SWITCH = "VIBEWARD_NATIVE"
_SOURCE = Path(__file__).resolve().parent
NATIVE_DIR = _SOURCE.parent / "build" / "native"
_MANIFEST = "manifest.json"
# The interpreter, its version and the platform, as this Python names extension modules: a
# build is current only for the Python whose suffix it records.
_SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
_GROUP = "vibeward_native"  # the name of the shared library mypyc builds for the modules

active = False  # whether this process runs the compiled modules


def activate(package_path: MutableSequence[str], native_dir: Path = NATIVE_DIR, source: Path = _SOURCE) -> bool:
    """Put `native_dir` in front of the package's path when its build is current."""
    global active
    if os.environ.get(ENV_SWITCH, "1") == "0" or not current(native_dir, source):
        return False
    package_path.insert(0, str(native_dir / "tracer"))
    if str(native_dir) not in sys.path:
        sys.path.append(str(native_dir))  # the shared library, a top-level module
    active = True
    return True


def current(native_dir: Path, source: Path) -> bool:
    """Whether the build in `native_dir` was made from these sources for this Python."""
    try:
        manifest = json.loads((native_dir / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or manifest.get("python") != _SUFFIX:
        return False
    if manifest.get("modules") != list(MODULES):
        return False
    digests = manifest.get("sources")
    if not isinstance(digests, dict) or not digests:
        return False
    for name, digest in digests.items():
        try:
            if _digest(source / str(name)) != digest:
                return False
        except OSError:
            return False
    return all((native_dir / "tracer" / f"{module}{_SUFFIX}").is_file() for module in MODULES + C_MODULES)


def build(native_dir: Path = NATIVE_DIR, source: Path = _SOURCE) -> int:
    """Compile `MODULES` into `native_dir` unless it is current; 0 on success, 1 with the
    compiler's output on failure."""
    if current(native_dir, source):
        print(f"vibeward: the native build in {native_dir} is current")
        return 0
    if _compiler() is None:
        # Not an error: the same modules run as plain Python, only slower.
        print("vibeward: no C compiler found (CC or Python's own); the classifier runs as plain Python")
        return 0
    started = time.perf_counter()
    digests = {name: _digest(source / name) for name in sorted(_sources(source))}
    work = native_dir.parent / "native-work"
    work.mkdir(parents=True, exist_ok=True)
    (native_dir / _MANIFEST).unlink(missing_ok=True)  # no manifest while the build is half done
    log = work / "build.log"
    failure = _compile(source.parent, native_dir, work, log)
    if failure is not None:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
        print("\n".join(tail), file=sys.stderr)
        print(f"vibeward: the native build failed ({failure}); full log: {log}", file=sys.stderr)
        return 1
    manifest = {"python": _SUFFIX, "modules": list(MODULES), "sources": digests}
    (native_dir / _MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    took = time.perf_counter() - started
    print(f"vibeward: compiled {', '.join(MODULES)} into {native_dir} in {took:.0f} s")
    return 0


def _compile(root: Path, native_dir: Path, work: Path, log: Path) -> BaseException | None:
    """Run mypyc and the C compiler, their output to `log`; the error, if any."""
    try:
        from mypyc.build import mypycify  # development dependencies: only the build needs them
        from setuptools import Distribution, Extension
    except ImportError as error:
        log.write_text(f"the native build needs mypy and setuptools (pip install -e '.[dev]'): {error}\n", "utf-8")
        return error
    saved_cwd, saved_out, saved_err = os.getcwd(), os.dup(1), os.dup(2)
    with log.open("w", encoding="utf-8") as out, contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        os.dup2(out.fileno(), 1)  # mypy prints to sys.stdout, the C compiler to the file descriptors
        os.dup2(out.fileno(), 2)
        try:
            os.chdir(root)  # mypyc reads the project's mypy settings from pyproject.toml here
            paths = [str(Path("tracer") / f"{module}.py") for module in MODULES]
            extensions = mypycify(paths, opt_level="3", target_dir=str(work / "c"), group_name=_GROUP)
            extensions += [Extension(f"tracer.{module}", [f"tracer/{module}.c"]) for module in C_MODULES]
            dist = Distribution({"name": "vibeward-native", "ext_modules": extensions})
            command: Any = dist.get_command_obj("build_ext")
            command.build_lib = str(native_dir)
            command.build_temp = str(work / "objects")
            command.parallel = os.cpu_count() or 1
            dist.run_command("build_ext")
            return None
        except (SystemExit, Exception) as error:  # mypy and distutils report either way
            return error
        finally:
            out.flush()
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            os.chdir(saved_cwd)


def _compiler() -> str | None:
    """The C compiler the build would call, if it is installed."""
    import shlex
    import shutil
    import sysconfig

    command = shlex.split(os.environ.get("CC") or str(sysconfig.get_config_var("CC") or "cc"))
    return shutil.which(command[0]) if command else None


def _sources(source: Path) -> set[str]:
    """Every file the build is made from, relative to the package."""
    return _imported_sources(source) | {f"{module}.c" for module in C_MODULES}


def _imported_sources(source: Path) -> set[str]:
    """The compiled modules and every tracer module they import, directly or not, as paths
    relative to the package: the compiled code holds assumptions about all of them."""
    import ast  # the build only: not on every start

    seen: set[str] = set()
    pending = [f"{module}.py" for module in MODULES]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            tree = ast.parse((source / name).read_text(encoding="utf-8"))
        except SyntaxError:
            continue  # the compiler reports it
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "tracer":  # from tracer import yamlsafe
                for alias in node.names:
                    pending.extend(_module_file(source, f"tracer.{alias.name}"))
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tracer."):
                pending.extend(_module_file(source, node.module))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("tracer."):
                        pending.extend(_module_file(source, alias.name))
    return seen


def _module_file(source: Path, module: str) -> list[str]:
    relative = Path(*module.split(".")[1:])
    for candidate in (relative.with_suffix(".py"), relative / "__init__.py"):
        if (source / candidate).is_file():
            return [candidate.as_posix()]
    return []


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
