# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (LSTM book, CPU)
#     language: python
#     name: lstm-cpu
# ---

# %% [markdown]
# # Problem set 07 · From NumPy to TensorFlow
#
# Three exercises on chapter 07: the LSTM step from raw TensorFlow ops, the same step as a Keras
# layer that `keras.layers.RNN` can run (with Keras's weight layout and initialisers, so that
# weights move between it and `keras.layers.LSTM`), and gradients from `tf.GradientTape`
# instead of a hand-written backward pass. Use `tf.matmul`, `tf.sigmoid`, `tf.tanh`, slicing,
# `+` and `*`; not Keras's own recurrent layers. Tensors are float32, so the checks compare to
# float32 tolerances.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
from lstm_lib.tf_startup import import_tensorflow

tf = import_tensorflow()  # first: keeps TensorFlow's C++ start-up lines out of the output

import keras  # noqa: E402
import numpy as np  # noqa: E402

from lstm_lib.grading import check  # noqa: E402

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## Exercise 1 · The step in TensorFlow ★ (2 points)
#
# Write `tf_lstm_step(x, h_prev, c_prev, kernel, recurrent_kernel, bias)`, the LSTM step of
# problem set 03 with TensorFlow ops. All arguments are float32 tensors (or variables): `x`
# (B, D), `h_prev` and `c_prev` (B, H), `kernel` (D, 4H), `recurrent_kernel` (H, 4H), `bias`
# (4H,), gate blocks i, f, c, o. Return the tensors `(h, c)`, both (B, H). The check also
# differentiates your step with `tf.GradientTape`, so stay with TensorFlow ops from start to end.

# %% nbgrader={"grade": false, "grade_id": "tf_lstm_step", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def tf_lstm_step(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_tf_lstm_step", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.tf_lstm_step(tf_lstm_step, points=2)


# %% [markdown]
# ## Exercise 2 · An LSTM cell as a Keras layer ★★ (3 points)
#
# Complete `LSTMCell`, a cell for `keras.layers.RNN(LSTMCell(units))`:
#
# - `build(input_shape)`: `input_shape` is (B, D), the shape of one time step. Create with
#   `self.add_weight`, in this order: `self.kernel` (D, 4H), initializer `"glorot_uniform"`;
#   `self.recurrent_kernel` (H, 4H), `"orthogonal"`; `self.bias` (4H,), zeros except ones in
#   the forget block `[H:2H]` (Keras's `unit_forget_bias`; an initializer can be any function
#   `(shape, dtype=None)` that returns a tensor of that shape).
# - `call(inputs, states)`: `inputs` (B, D) is one time step and `states` the list
#   `[h_prev, c_prev]`; return `h, [h, c]`: the output, then the new states.
#
# `__init__`, `state_size` and `get_config` are written for you. With the same weights, the
# check expects exactly what `keras.layers.LSTM` computes.

# %% nbgrader={"grade": false, "grade_id": "lstm_cell_layer", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
class LSTMCell(keras.layers.Layer):
    """An LSTM cell from raw TensorFlow ops, with the weights of keras.layers.LSTM."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        # YOUR CODE HERE
        raise NotImplementedError()

    def call(self, inputs, states):
        # YOUR CODE HERE
        raise NotImplementedError()

    def get_config(self):
        return {**super().get_config(), "units": self.units}


# %% nbgrader={"grade": true, "grade_id": "check_lstm_cell_layer", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.lstm_cell_layer(LSTMCell, points=3)


# %% [markdown]
# ## Exercise 3 · Gradients from the tape ★★ (2 points)
#
# Chapter 04 derived the LSTM's backward pass by hand; TensorFlow derives it for you. Write
# `tape_gradients(layer, x, dhs)`: `layer` is a built `keras.layers.LSTM(H,
# return_sequences=True)` (or your own layer), `x` (B, T, D) and `dhs` (B, T, H) are float32
# tensors. Return the gradients of the loss $\sum_{b,t,j} \text{layer}(x)_{btj} \cdot
# \text{dhs}_{btj}$ with respect to `layer.trainable_weights`, a list in that order. They
# are the `dkernel`, `drecurrent_kernel`, `dbias` of problem set 04.

# %% nbgrader={"grade": false, "grade_id": "tape_gradients", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def tape_gradients(layer, x, dhs):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_tape_gradients", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.tape_gradients(tape_gradients, points=2)

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.progress("07")
