"""Toy chapters for the tests of the tools that run chapters (make reproduce, make robustness)."""

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: lstm-cpu
  display_name: cpu
  language: python
---
"""


def toy_chapter(*cells: str) -> str:
    """A MyST text notebook on the lstm-cpu kernel with one code cell per argument."""
    return HEADER + "".join(f"\n```{{code-cell}} ipython3\n{cell.strip()}\n```\n" for cell in cells)
