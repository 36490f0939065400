"""How many threads NumPy's BLAS uses, and a way to change it for a while.

    blas_info() -> {"library": file name or None, "threads": int or None,
                    "kernels": str or None, "coretype": str or None}
    blas_threads(n)   context manager: NumPy's matrix products use n threads inside the block

NumPy has no public API for this; threadpoolctl finds the BLAS loaded in this process and calls
its own thread controls (OpenBLAS's openblas_set_num_threads...). Where it finds none, the
functions report None and blas_threads does nothing. "kernels" is the CPU type whose kernels
OpenBLAS runs (detected at load, or forced by the environment variable OPENBLAS_CORETYPE, which
is reported as "coretype" and never changed here).
"""

import contextlib
import os

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits


def _numpy_blas():
    """threadpoolctl's record of NumPy's BLAS ({} when there is none it can control)."""
    np.ones(1) @ np.ones(1)  # make sure NumPy's BLAS is loaded
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    ours = [lib for lib in blas if "numpy" in lib["filepath"]]
    return (ours or blas or [{}])[0]


def blas_info():
    blas = _numpy_blas()
    return {
        "library": os.path.basename(blas["filepath"]) if blas else None,
        "threads": blas.get("num_threads"),
        "kernels": blas.get("architecture"),
        "coretype": os.environ.get("OPENBLAS_CORETYPE"),
    }


@contextlib.contextmanager
def blas_threads(n):
    """Inside the block NumPy's BLAS uses n threads; afterwards the previous number."""
    if n is None:
        yield
        return
    with threadpool_limits(limits=int(n), user_api="blas"):
        yield
