"""Counting the matrix products a NumPy computation takes: a fact, where a timing is a measurement.

    count_products(fn, arrays) -> how many matrix products fn(*arrays) takes
    Counting                      the np.ndarray subclass that counts, in Counting.products

The arrays are handed to fn as Counting views. Whenever a Counting array takes part in a matrix
product (`@`, np.matmul, also with out=), Counting.products goes up by one; and whatever NumPy
computes from a Counting array (a ufunc, np.stack, np.concatenate, a reshape, a slice) is a
Counting array too, so the count follows the data through the whole computation. np.dot,
np.einsum and np.tensordot are not counted: chapter 08's LSTMs and lstm_lib.numpy use `@`.
The tally is one class attribute: count one computation at a time, in one thread.
"""

import numpy as np

__all__ = ["Counting", "count_products"]


class Counting(np.ndarray):
    """An array that counts the matrix products it takes part in, in Counting.products."""

    products = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        Counting.products += ufunc is np.matmul
        plain = [_plain(a) for a in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(_plain(a) for a in kwargs["out"])
        result = getattr(ufunc, method)(*plain, **kwargs)
        return _counting(result)

    def __array_function__(self, func, types, args, kwargs):
        return _counting(super().__array_function__(func, types, args, kwargs))  # np.stack, ...


def _plain(a):
    return a.view(np.ndarray) if isinstance(a, Counting) else a


def _counting(result):
    """result as a Counting array (each array of a tuple, for ufuncs with two outputs)."""
    if isinstance(result, tuple):
        return tuple(_counting(r) for r in result)
    return result.view(Counting) if type(result) is np.ndarray else result


def count_products(fn, arrays):
    """How many matrix products fn(*arrays) takes; arrays: a sequence of NumPy arrays."""
    Counting.products = 0
    fn(*(np.asarray(a).view(Counting) for a in arrays))
    return Counting.products
