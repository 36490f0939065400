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
# Three exercises on chapter 07 (★ warm-up, ★★ core, ★★★ beyond the chapter): the LSTM step
# from raw TensorFlow ops, the saliency of each input step from `tf.GradientTape`, and a
# cell the chapter did not write, the GRU, as a Keras layer that `keras.layers.RNN` can run
# and that takes `keras.layers.GRU`'s weights. Use `tf.matmul`,
# `tf.sigmoid`, `tf.tanh`, slicing, `+` and `*`; not Keras's own recurrent layers. Tensors are
# float32, so the checks compare to float32 tolerances.

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
# ## Exercise 2 · Which inputs matter? Per-step saliency from the tape ★★ (2 points)
#
# Chapter 07 asked the tape for the gradients of a whole loss. Ask it a sharper question: how
# much does each time step of the input move the layer's last output? Write
# `input_saliency(layer, x)`: `layer` is a built `keras.layers.LSTM(H, return_sequences=True)`,
# `x` (B, T, D) a float32 tensor. With the loss L the sum of the *last* step's outputs,
# $L = \sum_{b,j} \text{layer}(x)_{b,T-1,j}$, return the (B, T) tensor whose entry [b, t] is
# the norm over the D features of $\partial L / \partial x_{b,t}$: one saliency per example
# and step, in time order.
#
# `x` is a plain tensor, not a variable: the chapter says what the tape does with those.

# %% nbgrader={"grade": false, "grade_id": "input_saliency", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
def input_saliency(layer, x):
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"grade": true, "grade_id": "check_input_saliency", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.input_saliency(input_saliency, points=2)


# %% [markdown]
# With your `input_saliency`, compare an LSTM whose forget gates start at a bias of 0 with one
# whose forget bias is 3 (chrono-like, chapter 05): the saliency of the early steps, relative to
# the last, is far larger with the open forget gates. The gradient reaches further back.

# %% [markdown]
# ## Exercise 3 · A GRU cell for Keras, from raw ops ★★★ (3 points)
#
# Chapter 07 wrote the LSTM cell; write a cell it did not: the GRU, as `keras.layers.GRU`
# computes it by default (`reset_after=True`), drop-in for Keras. With the weight layout of
# problem set 10 (blocks [z | r | h~], the bias in two rows: `bias[0]` the input bias,
# `bias[1]` the recurrent bias):
#
# $$z = σ(x W_z + b^{in}_z + h U_z + b^{rec}_z), \quad r = σ(x W_r + b^{in}_r + h U_r + b^{rec}_r)$$
#
# $$\tilde h = \tanh\big(x W_h + b^{in}_h + r ⊙ (h U_h + b^{rec}_h)\big), \quad
#   h_{new} = z ⊙ h + (1 - z) ⊙ \tilde h$$
#
# Complete `GRUCell` so that `keras.layers.RNN(GRUCell(units))` computes what
# `keras.layers.GRU(units)` computes with the same weights:
#
# - `build(input_shape)`: `input_shape` is (B, D), one time step. Create with `self.add_weight`,
#   in this order (Keras's, so that `set_weights` moves weights between the two):
#   `self.kernel` (D, 3H), `"glorot_uniform"`; `self.recurrent_kernel` (H, 3H), `"orthogonal"`;
#   `self.bias` (2, 3H), `"zeros"`.
# - `call(inputs, states)`: `inputs` (B, D); `states` the list `[h_prev]`. Return `h, [h]`.
#
# Use `tf.matmul`, `tf.sigmoid`, `tf.tanh`, slicing, `+`, `-` and `*`. The check copies random
# weights into your cell and into `keras.layers.GRU(use_cudnn=False)` and compares them step by
# step; it names the classic slips of a GRU (gate order, where r acts, which of h and h~ z
# keeps, the two bias rows).

# %% nbgrader={"grade": false, "grade_id": "gru_cell_layer", "locked": false, "schema_version": 3, "solution": true, "task": false} deletable=false
class GRUCell(keras.layers.Layer):
    """A GRU cell from raw TensorFlow ops, with the weights of keras.layers.GRU."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = [units]
        self.output_size = units

    def build(self, input_shape):
        # YOUR CODE HERE
        raise NotImplementedError()

    def call(self, inputs, states):
        # YOUR CODE HERE
        raise NotImplementedError()

    def get_config(self):
        return {**super().get_config(), "units": self.units}


# %% nbgrader={"grade": true, "grade_id": "check_gru_cell_layer", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.gru_cell_layer(GRUCell, points=3)

# %% [markdown]
# ## Your progress
#
# Run this cell to see which checks pass in this session, your points so far, and what to look
# at next.

# %% nbgrader={"grade": false, "grade_id": "progress", "locked": true, "schema_version": 3, "solution": false, "task": false} deletable=false editable=false
check.progress("07")
