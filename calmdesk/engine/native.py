"""The engine's compiled build: the same source, compiled to C by mypyc, when it can be.

The engine is written in pure Python and stays correct as pure Python. Where a C compiler
and Python's headers are present, ``make`` (through ``calmdesk engine build``) compiles
the modules that read and check text with mypyc, which the strict typing of the engine
allows without a line written for it; the build lands in ``_native/`` beside this file,
with a digest of the sources it came from. On import the engine takes the compiled
modules only when that digest matches the sources on disk, so an edited ``.py`` is never
shadowed by a stale build, and ``CALMDESK_ENGINE_PURE=1`` ignores the build altogether.
Readings are the same either way (a test compares them).

This module is never compiled itself and imports nothing of the engine."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent
BUILD_DIR = ENGINE_DIR / "_native"
DIGEST_FILE = BUILD_DIR / "SOURCES.sha256"
PURE_ENV = "CALMDESK_ENGINE_PURE"
# The modules on the path of every reading and every check. The CLI, training and the
# evaluation stay interpreted: they run once, and train.py leans on numpy, not Python.
COMPILED_MODULES = (
    "cues",
    "facts",
    "features",
    "model",
    "questions",
    "reading",
    "sentiment",
    "subjectivity",
    "text",
    "tones",
    "types",
    "strip",
    "rules",
    "draft",
    "coach_thread",
    "coach",
)
GROUP = "calmdesk_engine"  # names the runtime library mypyc shares between the modules


def source_digest() -> str:
    """Digest of the compiled modules' sources, the interpreter and mypy's version."""
    h = hashlib.sha256()
    h.update(sys.version.encode())
    h.update((sysconfig.get_config_var("EXT_SUFFIX") or "").encode())
    # A build made by another mypy can fail on import (a mypyc 1.19 build of model.py
    # raised KeyError under 2.4), so its version is part of what must match.
    h.update(_mypy_version().encode())
    for name in COMPILED_MODULES:
        h.update(name.encode())
        h.update((ENGINE_DIR / f"{name}.py").read_bytes())
    return h.hexdigest()


def _mypy_version() -> str:
    try:
        return importlib.metadata.version("mypy")
    except importlib.metadata.PackageNotFoundError:
        return "none"


def build_status() -> str:
    """ "compiled", "pure" (switched off by the environment), "stale" (the sources
    changed since the build) or "absent"."""
    if os.environ.get(PURE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
        return "pure"
    try:
        recorded = DIGEST_FILE.read_text().strip()
    except OSError:
        return "absent"
    return "compiled" if recorded == source_digest() else "stale"


def activate(package_path: list[str]) -> str:
    """Puts the compiled modules ahead of the sources on ``package_path`` (the engine
    package's ``__path__``) when the build matches the sources; returns the build status.
    Called by the package before any engine module is imported."""
    status = build_status()
    if status == "compiled":
        modules = BUILD_DIR / "calmdesk" / "engine"
        if str(modules) not in package_path:
            package_path.insert(0, str(modules))
        if str(BUILD_DIR) not in sys.path:
            sys.path.append(str(BUILD_DIR))  # the group's runtime library, a top-level module
    return status


def compiler_missing() -> str | None:
    """Why the engine cannot be compiled here, or None when it can."""
    include = sysconfig.get_paths().get("include", "")
    if not (Path(include) / "Python.h").exists():
        return f"Python's C headers are not installed (no Python.h in {include})"
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(cc) is None:
        return f"no C compiler ({cc!r} is not on PATH)"
    try:
        import mypyc  # noqa: F401
    except ImportError:
        return "mypyc is not installed (it comes with mypy, a development dependency)"
    return None


def build(*, quiet: bool = True) -> Path:
    """Compiles ``COMPILED_MODULES`` into ``BUILD_DIR`` and records their digest.
    Raises RuntimeError when it cannot (``compiler_missing`` says why)."""
    why = compiler_missing()
    if why:
        raise RuntimeError(why)
    from mypyc.build import mypycify
    from setuptools import Distribution

    digest = source_digest()
    root = ENGINE_DIR.parent.parent
    sources = [str(Path("calmdesk", "engine", f"{m}.py")) for m in COMPILED_MODULES]
    with tempfile.TemporaryDirectory(prefix="calmdesk-native-") as tmp:
        staging = Path(tmp, "lib")
        log = Path(tmp, "build.log")
        old_cwd = os.getcwd()
        old_fd = _silence(log) if quiet else None
        try:
            # mypyc names modules by their path from the working directory, and writes
            # its C files under ``target_dir``.
            os.chdir(root)
            extensions = mypycify(
                sources,
                opt_level="3",
                multi_file=True,  # several C files, compiled in parallel
                group_name=GROUP,
                target_dir=str(Path(tmp, "c")),
            )
            dist = Distribution({"ext_modules": extensions, "script_name": "build"})
            cmd = dist.get_command_obj("build_ext")
            cmd.build_lib = str(staging)
            cmd.build_temp = str(Path(tmp, "obj"))
            cmd.inplace = False
            cmd.parallel = os.cpu_count() or 1
            dist.run_command("build_ext")
        except (Exception, SystemExit) as e:
            if old_fd is not None:
                _restore(old_fd)
                old_fd = None
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"mypyc failed: {e}\n{tail}") from e
        finally:
            os.chdir(old_cwd)
            if old_fd is not None:
                _restore(old_fd)
        if BUILD_DIR.exists():
            shutil.rmtree(BUILD_DIR)
        shutil.copytree(staging, BUILD_DIR)
    DIGEST_FILE.write_text(digest + "\n")
    return BUILD_DIR


def clean() -> None:
    if BUILD_DIR.exists():
        shutil.rmtree(BUILD_DIR)


def _silence(log: Path) -> tuple[int, int]:
    """Sends the compiler's chatter to ``log`` (file descriptors, as gcc writes there)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    return saved


def _restore(saved: tuple[int, int]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(saved[0], 1)
    os.dup2(saved[1], 2)
    os.close(saved[0])
    os.close(saved[1])
