"""The checkers the problem sets call: `check.<exercise>(your_function, points=...)`.

Each one runs your function on fresh random inputs (a new seed every call, printed when it
fails), compares what it returns with a reference, and either prints a pass line or raises
`CheckFailed` saying what is wrong: the output, the gate or the gradient that differs, the worst
entry, and the classic mistake that gives your result when it recognises one.

Every checker takes `seed=` (reproduce a failure), `quiet=` (no pass line; for hidden tests) and
sizes such as `B=`, `T=`, `D=`, `H=` (try an edge case). TensorFlow is imported only by the
checkers of problem set 07 and by weight_shapes (10), when they run. `check.progress("03")`,
the last cell of a set, shows which of its checks pass in this kernel, the points so far and
what to look at next.

    01 rnn.py       largest_units, rnn_step_batch, rnn_many_to_one, bracket_counter (and
                    rnn_step_forward and rnn_forward, chapter 01's step and loop in Keras's
                    layout)
    02 rnn.py       numerical_gradient, adaptive_clip, rnn_step_backward,
                    truncated_rnn_backward, leaky_rnn_step_backward (and rnn_backward,
                    full BPTT as chapter 02 writes it, and clip_by_global_norm)
    03 lstm.py      split_gates, lstm_step_forward, lstm_forward_torch, hand_set_difference
                    (and lstm_forward, chapter 03's loop in Keras's layout)
    04 lstm.py      derivatives_from_outputs, lstm_step_backward, stacked_lstm_backward,
                    cifg_step_backward (and lstm_backward, chapter 04's BPTT); flow.py
                    vanishing_lag
    05 training.py  chrono_bias, softmax_cross_entropy, adam_step, half_life_bias, train_step
    06 lstm.py      worst_mismatch, gradient_check
       debugging.py overfit_test, name_the_bug (and trainer, suspect, BUGS: what they
                    hand out to try on)
    07 tf.py        tf_lstm_step, input_saliency, gru_cell_layer (and tape_gradients)
    08 speed.py     fuse_gate_weights, hoisted_input_projection, lstm_forward_hoisted,
                    lstm_backward_hoisted, fair_ratio, gru_forward_hoisted
    09 charlm.py    cut_windows, bits_per_char, sample_with_temperature, sample_top_p
    10 variants.py  weight_shapes, gru_step_forward, gru_forward, coupled_lstm_step,
                    mgu_step_forward
    11 practice.py  last_valid_output, make_windows, bidirectional_rnn, masked_rnn_forward,
                    masked_rnn_backward
"""

from ..progress import progress
from ..suspect import BUGS
from .charlm import bits_per_char, cut_windows, sample_top_p, sample_with_temperature
from .debugging import name_the_bug, overfit_test, suspect, trainer
from .flow import vanishing_lag
from .lstm import (
    cifg_step_backward,
    derivatives_from_outputs,
    gradient_check,
    hand_set_difference,
    lstm_backward,
    lstm_forward,
    lstm_forward_torch,
    lstm_step_backward,
    lstm_step_forward,
    split_gates,
    stacked_lstm_backward,
    worst_mismatch,
)
from .practice import (
    bidirectional_rnn,
    last_valid_output,
    make_windows,
    masked_rnn_backward,
    masked_rnn_forward,
)
from .rnn import (
    adaptive_clip,
    bracket_counter,
    clip_by_global_norm,
    largest_units,
    leaky_rnn_step_backward,
    numerical_gradient,
    rnn_backward,
    rnn_forward,
    rnn_many_to_one,
    rnn_step_backward,
    rnn_step_batch,
    rnn_step_forward,
    truncated_rnn_backward,
)
from .speed import (
    fair_ratio,
    fuse_gate_weights,
    gru_forward_hoisted,
    hoisted_input_projection,
    lstm_backward_hoisted,
    lstm_forward_hoisted,
)
from .tf import gru_cell_layer, input_saliency, tape_gradients, tf_lstm_step
from .training import (
    adam_step,
    chrono_bias,
    half_life_bias,
    softmax_cross_entropy,
    train_step,
)
from .variants import (
    coupled_lstm_step,
    gru_forward,
    gru_step_forward,
    mgu_step_forward,
    weight_shapes,
)

__all__ = [
    "rnn_step_forward", "rnn_forward", "largest_units", "rnn_step_batch", "rnn_many_to_one",
    "bracket_counter",
    "rnn_step_backward", "rnn_backward", "truncated_rnn_backward", "clip_by_global_norm",
    "adaptive_clip",
    "leaky_rnn_step_backward",
    "split_gates", "lstm_step_forward", "lstm_forward", "lstm_forward_torch",
    "hand_set_difference",
    "derivatives_from_outputs", "lstm_step_backward", "lstm_backward", "stacked_lstm_backward",
    "cifg_step_backward",
    "vanishing_lag",
    "numerical_gradient",
    "softmax_cross_entropy", "adam_step", "chrono_bias", "half_life_bias", "train_step",
    "worst_mismatch", "overfit_test", "gradient_check", "name_the_bug", "trainer",
    "suspect", "BUGS",
    "tf_lstm_step", "input_saliency", "tape_gradients", "gru_cell_layer",
    "fuse_gate_weights", "hoisted_input_projection", "lstm_forward_hoisted",
    "lstm_backward_hoisted", "fair_ratio", "gru_forward_hoisted",
    "cut_windows", "bits_per_char", "sample_with_temperature", "sample_top_p",
    "weight_shapes", "gru_step_forward", "gru_forward", "coupled_lstm_step",
    "mgu_step_forward",
    "masked_rnn_forward", "bidirectional_rnn", "make_windows", "last_valid_output",
    "masked_rnn_backward",
    "progress",
]  # fmt: skip
