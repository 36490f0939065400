"""The README's drop-in paragraph quotes the error a user sees for a refused argument: it must
be the error the code raises (the list of refused arguments is held to checks.NOT_IMPLEMENTED in
test_tf_errors.py)."""

import re
from pathlib import Path

from lstm_lib.tf_startup import import_tensorflow

import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output

import pytest  # noqa: E402

from lstm_lib import tensorflow as ltf  # noqa: E402

README = Path(__file__).parents[1] / "README.md"


def test_readme_quotes_the_error_the_code_raises():
    quoted = re.search(r"with an error such as\s+`ValueError: (.*?)`", README.read_text(), re.S)
    assert quoted, "README: the drop-in paragraph's example error is missing"
    with pytest.raises(ValueError) as raised:
        ltf.SimpleRNN(4, activation="relu")
    assert " ".join(quoted.group(1).split()) == str(raised.value)
