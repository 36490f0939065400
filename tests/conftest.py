"""What every unit test shares: set up here once, not in each test file.

Test modules import TensorFlow as the chapters do, through lstm_lib.tf_startup.import_tensorflow
(first, before keras), which drops TensorFlow's C++ start-up lines; after start-up its runtime
stays quiet at TF_CPP_MIN_LOG_LEVEL=2, set here for this process and the ones it starts.
"""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
# Helpers shared by tests (e.g. pins.py) are imported by plain name.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def full_float32_matmuls():
    """TF32 off wherever TensorFlow is loaded: on a GPU its matrix products would round to 10
    bits of mantissa, and no float32 comparison with NumPy or Keras could hold (the lstm-gpu
    kernel sets NVIDIA_TF32_OVERRIDE=0 for the same reason)."""
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        tf.config.experimental.enable_tensor_float_32_execution(False)
