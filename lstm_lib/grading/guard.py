"""Catch a learner's function calling the reference implementation while it runs.

    result, hits = trapped_call(fn, args, kwargs, forbidden=(LIBRARY_DIR,), allow=())

A profile hook (sys.setprofile) watches every Python function call made while fn runs; a call
into code whose file lies under one of the `forbidden` paths is recorded in `hits` as
"module.function". This sees through every alias (`import lstm_lib.numpy as L`, importlib,
a reference stored in a global) because it looks at the code that runs, not at names.

`allow` lists functions or classes whose code may run anyway: callbacks the checker itself hands
to the learner's function (the f of a numerical gradient, an array subclass counting products).
"""

import sys


def _codes(objects):
    """The code objects of functions, and of classes' methods, with their nested code."""
    codes = set()
    for obj in objects:
        if isinstance(obj, type):
            codes |= _codes(v for v in vars(obj).values() if callable(v))
        elif hasattr(obj, "__code__"):
            stack = [obj.__code__]
            while stack:
                code = stack.pop()
                codes.add(code)
                stack += [k for k in code.co_consts if hasattr(k, "co_code")]
    return codes


def trapped_call(fn, args, kwargs, forbidden, allow=()):
    allowed = _codes(allow)
    forbidden = tuple(forbidden)
    hits = []

    def hook(frame, event, arg):
        if event == "call" and not hits:
            code = frame.f_code
            if code.co_filename.startswith(forbidden) and code not in allowed:
                module = frame.f_globals.get("__name__", code.co_filename)
                if code.co_name == "<module>":
                    hits.append(f"{module} (by importing it)")
                else:
                    hits.append(f"{module}.{getattr(code, 'co_qualname', code.co_name)}")

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        result = fn(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return result, hits
