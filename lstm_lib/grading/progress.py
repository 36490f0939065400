"""The last cell of every problem set: `check.progress("03")` shows the learner where they are.

It reads what the checkers of this kernel found last (feedback.RESULTS), so it shows the checks
run since the kernel started: which pass, the points so far, and what to look at next (the first
exercise not passed, with the first line of its check's message). It never raises: graders run
it too. `tests/test_exercises_sync.py` holds SETS equal to the solutions notebooks' headings and
check cells.
"""

from .feedback import RESULTS

# problem set -> [(checker, "Exercise n · title ★", points)], in the notebook's order.
SETS = {
    "01": [
        ("largest_units", "Exercise 1 · The largest layer a budget allows ★", 1),
        ("rnn_step_batch", "Exercise 2 · From one example to a batch ★", 2),
        ("rnn_many_to_one",
         "Exercise 3 · Many to one: an RNN that reads a sequence and predicts one number ★★", 2),
        ("bracket_counter", "Exercise 4 · An RNN that counts brackets, by hand ★★★", 3),
    ],
    "02": [
        ("numerical_gradient", "Exercise 1 · The numerical gradient ★", 2),
        ("adaptive_clip", "Exercise 2 · A clipping limit learnt from the run ★", 2),
        ("rnn_step_backward", "Exercise 3 · Derive the backward pass of one step ★★", 3),
        ("truncated_rnn_backward", "Exercise 4 · Truncated backpropagation through time ★★", 3),
        ("leaky_rnn_step_backward", "Exercise 5 · Backward through a leaky step ★★★", 3),
    ],
    "03": [
        ("split_gates", "Exercise 1 · The four gate blocks ★", 1),
        ("lstm_step_forward", "Exercise 2 · One LSTM step ★★", 3),
        ("lstm_forward_torch", "Exercise 3 · An LSTM over a sequence from PyTorch's weights ★★",
         2),
        ("hand_set_difference", "Exercise 4 · A cell that subtracts, by hand ★★★", 3),
    ],
    "04": [
        ("derivatives_from_outputs", "Exercise 1 · Derivatives from the outputs ★", 1),
        ("lstm_step_backward", "Exercise 2 · Derive the backward pass of one step ★★", 3),
        ("stacked_lstm_backward",
         "Exercise 3 · Backpropagation through two stacked LSTM layers ★★", 3),
        ("vanishing_lag", "Exercise 4 · How far back does the gradient reach? ★★", 3),
        ("cifg_step_backward",
         "Exercise 5 · Backward through a cell the chapter did not derive ★★★", 3),
    ],
    "05": [
        ("chrono_bias", "Exercise 1 · Chrono initialisation for a range of memories ★", 2),
        ("softmax_cross_entropy", "Exercise 2 · Softmax cross-entropy ★★", 2),
        ("adam_step", "Exercise 3 · One Adam step, as Keras takes it ★★", 3),
        ("half_life_bias", "Exercise 4 · A forget bias for a half-life ★★★", 2),
        ("train_step", "Exercise 5 · A training step that learns one batch by heart ★★★", 3),
    ],
    "06": [
        ("worst_mismatch", "Exercise 1 · Where is it worst? ★", 2),
        ("overfit_test", "Exercise 2 · An overfit test that a bug fails ★★", 3),
        ("gradient_check",
         "Exercise 3 · A gradient check that points at the wrong gradient ★★★", 3),
        ("name_the_bug", "Exercise 4 · Name the bug of a black box ★★★", 3),
    ],
    "07": [
        ("tf_lstm_step", "Exercise 1 · The step in TensorFlow ★", 2),
        ("input_saliency",
         "Exercise 2 · Which inputs matter? Per-step saliency from the tape ★★", 2),
        ("gru_cell_layer", "Exercise 3 · A GRU cell for Keras, from raw ops ★★★", 3),
    ],
    "08": [
        ("fuse_gate_weights", "Exercise 1 · Fuse the gates ★", 1),
        ("hoisted_input_projection",
         "Exercise 2 · The input projection of every step at once ★★", 2),
        ("lstm_forward_hoisted", "Exercise 3 · The hoisted LSTM ★★", 3),
        ("lstm_backward_hoisted", "Exercise 4 · The weight gradients after the loop ★★", 3),
        ("fair_ratio", "Exercise 5 · Timing fairly ★★", 2),
        ("gru_forward_hoisted", "Exercise 6 · The hoisted GRU ★★★", 3),
    ],
    "09": [
        ("cut_windows", "Exercise 1 · Next-character training pairs ★", 2),
        ("bits_per_char", "Exercise 2 · Bits per character ★★", 2),
        ("sample_with_temperature", "Exercise 3 · Sampling with a temperature ★★", 3),
        ("sample_top_p", "Exercise 4 · Nucleus sampling ★★★", 3),
    ],
    "10": [
        ("weight_shapes", "Exercise 1 · The weights of each variant ★", 1),
        ("gru_step_forward", "Exercise 2 · One GRU step, as Keras computes it ★★", 3),
        ("gru_forward", "Exercise 3 · The GRU over a sequence ★★", 2),
        ("coupled_lstm_step", "Exercise 4 · Coupled input and forget gates ★★", 2),
        ("mgu_step_forward", "Exercise 5 · A gated unit the chapter did not build ★★★", 2),
    ],
    "11": [
        ("last_valid_output", "Exercise 1 · The last valid output ★", 1),
        ("make_windows", "Exercise 2 · Windows of a series ★", 2),
        ("bidirectional_rnn", "Exercise 3 · Bidirectional ★★", 2),
        ("masked_rnn_forward", "Exercise 4 · Masking ★★", 3),
        ("masked_rnn_backward", "Exercise 5 · Backpropagation through a masked RNN ★★★", 3),
    ],
}

MARKS = {"passed": "\u2714", "not run": "\u00b7"}


def progress(problem_set):
    """Print this problem set's checks as they stand in this kernel, the points, and what next."""
    exercises = SETS[str(problem_set)]
    total = sum(points for _, _, points in exercises)
    rows, earned, todo = [], 0, None
    width = max(len(title) for _, title, _ in exercises)
    for checker, title, points in exercises:
        status, message = RESULTS.get(checker, ("not run", "run its check cell"))
        got = points if status == "passed" else 0
        earned += got
        if status != "passed" and todo is None:
            todo = (title, status, message)
        rows.append(f"  {MARKS.get(status, chr(0x2718))} {title:<{width}} {got}/{points}  {status}")
    print(f"Problem set {problem_set} \u00b7 your progress: {earned} of {total} points")
    print("\n".join(rows))
    if todo is None:
        print("Every check passes. On to the next chapter.")
    else:
        title, status, message = todo
        print(f"Next: {title.split(' · ', 1)[0]} ({status}): {message}")
