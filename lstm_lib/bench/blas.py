"""How many threads NumPy's BLAS (OpenBLAS) uses, and a way to change it for a while.

    blas_info() -> {"library": file name or None, "threads": int or None,
                    "kernels": str or None, "coretype": str or None}
    blas_threads(n)   context manager: NumPy's matrix products use n threads inside the block

NumPy has no public API for this; threadpoolctl does it by calling OpenBLAS's own
openblas_set_num_threads through ctypes, and so does this module, without the dependency.
Where no OpenBLAS is found (another BLAS, another OS), the functions report None and
blas_threads does nothing. "kernels" is the CPU type whose kernels OpenBLAS runs (its
openblas_get_corename: detected at load, or forced by the environment variable
OPENBLAS_CORETYPE, which is reported as "coretype" and never changed here).
"""

import contextlib
import ctypes
import os

import numpy as np

_PREFIXES = ("scipy_openblas_", "openblas_")
_SUFFIXES = ("64_", "")


def _loaded_openblas():
    """The path of the OpenBLAS shared library loaded in this process, or None (Linux only)."""
    np.ones(1) @ np.ones(1)  # make sure NumPy's BLAS is loaded
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    paths = sorted(p for p in paths if ".so" in p)
    return paths[0] if paths else None


def _function(lib, name):
    for prefix in _PREFIXES:
        for suffix in _SUFFIXES:
            f = getattr(lib, f"{prefix}{name}{suffix}", None)
            if f is not None:
                return f
    return None


def _openblas():
    path = _loaded_openblas()
    if path is None:
        return None, None, None
    lib = ctypes.CDLL(path)
    return path, _function(lib, "get_num_threads"), _function(lib, "set_num_threads")


def _corename(path):
    """The CPU type whose kernels the OpenBLAS at path runs, or None."""
    corename = path and _function(ctypes.CDLL(path), "get_corename")
    if not corename:
        return None
    corename.restype = ctypes.c_char_p
    return corename().decode(errors="replace")


def blas_info():
    path, get, _ = _openblas()
    return {
        "library": os.path.basename(path) if path else None,
        "threads": int(get()) if get else None,
        "kernels": _corename(path),
        "coretype": os.environ.get("OPENBLAS_CORETYPE"),
    }


@contextlib.contextmanager
def blas_threads(n):
    """Inside the block NumPy's OpenBLAS uses n threads; afterwards the previous number."""
    _, get, set_ = _openblas()
    if get is None or set_ is None or n is None:
        yield
        return
    before = int(get())
    set_(int(n))
    try:
        yield
    finally:
        set_(before)
