"""python -m lstm_lib.bench numpy: the NumPy LSTM against keras.layers.LSTM, forward + backward.

    python -m lstm_lib.bench numpy [--repeats 20] [--quick] [--no-scaling] [--blas-threads N]
                                   [--batch 64] [--time 100] [--input 32] [--units 128]

One process, one shape, float32, the same weights and the same upstream gradient on both sides:
lstm_lib.numpy.LSTM.forward + .backward against keras.layers.LSTM called under tf.function with
a tf.GradientTape (gradients with respect to the input and the three weights), on the CPU.
Rounds alternate after a warm-up, each timed call preceded by an untimed one, so that every
candidate is measured running back to back as in training (see timing.alternate). The headline
is the median over rounds of keras_time / numpy_time. Also printed: GFLOP/s, counting the
matrix products of forward and backward, as a fraction of this machine's NumPy float32 matmul
peak measured in the same run; the same NumPy LSTM on one BLAS thread (if BLAS has more); the
matrix products alone, the floor for the NumPy time, and the 2T of them that depend on each
other step by step; and, unless --no-scaling, a table over H and T.
"""

import argparse
import os
import platform
import sys

import numpy as np

from lstm_lib.numpy import LSTM, relative_error
from lstm_lib.tf_startup import import_tensorflow

from .blas import blas_info, blas_threads
from .timing import (
    add_run_arguments,
    alternate,
    matmul_peak,
    median_ratio,
    print_table,
    round_counts,
)

FLOOR = "NumPy, matrix products only"
CHAIN = "NumPy, recurrent products only"


def lstm_flops(B, T, D, H):
    """Multiply-adds x 2 of an LSTM forward + backward, matrix products only.

    Each of x @ kernel (D by 4H) and h @ recurrent_kernel (H by 4H) appears three times: in the
    forward, in the gradient of its input (dx, dh_prev), and in the gradient of the weight.
    """
    return 3 * 2 * B * T * 4 * H * (D + H)


def recurrent_flops(B, T, H):
    """Multiply-adds x 2 of the 2T products that chain the steps: h @ recurrent_kernel in the
    forward and dz @ recurrent_kernel.T in the backward, each (B, H) by (H, 4H)."""
    return 2 * T * 2 * B * H * 4 * H


def make_problem(B, T, D, H, seed=0):
    """A NumPy LSTM, an input and an upstream gradient, all float32."""
    rng = np.random.default_rng(seed)
    layer = LSTM(D, H, seed=seed)
    x = rng.standard_normal((B, T, D), dtype=np.float32)
    dy = rng.standard_normal((B, T, H), dtype=np.float32)
    return layer, x, dy


def numpy_runner(layer, x, dy, blas_threads_=None):
    """A callable that runs layer.forward + layer.backward, with NumPy's BLAS on
    blas_threads_ threads during the call (None: as configured)."""

    def run():
        with blas_threads(blas_threads_):
            layer.forward(x)
            return layer.backward(dy)

    return run


def matmul_only_runner(B, T, D, H, seed=0, chain_only=False):
    """A callable doing only the matrix products of an LSTM forward + backward, the same shapes
    and as many (lstm_flops): the time NumPy's BLAS needs for them alone, a floor under the
    NumPy LSTM's time that no elementwise cleverness can go below.

    chain_only: only the 2T products that depend on each other step by step, h @ U forward
    and dz @ U.T backward. Each needs the one before it (through the step's gates), so no
    reordering can remove them: they are the floor under any NumPy LSTM that computes its
    steps in order, whatever it does with the other products.
    """
    rng = np.random.default_rng(seed)
    x2, kernel = rng.standard_normal((T * B, D), dtype=np.float32), np.ones((D, 4 * H), np.float32)
    h, recurrent_kernel = np.ones((B, H), np.float32), np.ones((H, 4 * H), np.float32)
    hs, dz = np.ones((T, B, H), np.float32), np.ones((T, B, 4 * H), np.float32)
    dz2 = dz.reshape(T * B, 4 * H)

    def run():
        if not chain_only:
            x2 @ kernel
        for _ in range(T):
            h @ recurrent_kernel
        for t in range(T):
            dz[t] @ recurrent_kernel.T
        if not chain_only:
            dz2 @ kernel.T, x2.T @ dz2, hs.reshape(T * B, H).T @ dz2

    return run


def keras_runner(weights, x, dy):
    """A callable that runs keras.layers.LSTM forward + backward on the CPU and returns
    [dx, dkernel, drecurrent_kernel, dbias] as NumPy arrays."""
    tf = import_tensorflow()
    import keras

    B, T, D = x.shape
    H = weights[1].shape[0]
    with tf.device("/CPU:0"):  # a GPU, if there is one, would answer a different question
        layer = keras.layers.LSTM(H, return_sequences=True)
        layer.build((B, T, D))
        layer.set_weights(weights)
        x_tf, dy_tf = tf.constant(x), tf.constant(dy)

    @tf.function
    def forward_backward(x, dy):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
        # output_gradients=dy is the gradient of sum(y * dy), as the NumPy side computes.
        return tape.gradient(y, [x, *layer.trainable_weights], output_gradients=dy)

    def run():
        with tf.device("/CPU:0"):
            return [g.numpy() for g in forward_backward(x_tf, dy_tf)]

    return run


def compare(B, T, D, H, rounds, warmup=2, single_thread_too=False, floor_too=False):
    """Time NumPy (and, if asked, NumPy on one BLAS thread and the matrix products alone) and
    Keras on one shape, alternating.

    Returns ({name: [seconds per round]}, the NumPy gradients' largest error against Keras's).
    """
    layer, x, dy = make_problem(B, T, D, H)
    candidates = {"NumPy": numpy_runner(layer, x, dy)}
    if single_thread_too:
        candidates["NumPy, 1 BLAS thread"] = numpy_runner(layer, x, dy, 1)
    if floor_too:
        candidates[FLOOR] = matmul_only_runner(B, T, D, H)
        candidates[CHAIN] = matmul_only_runner(B, T, D, H, chain_only=True)
    candidates["Keras"] = keras_runner(layer.get_weights(), x, dy)
    dx, _, grads = candidates["NumPy"]()
    reference = candidates["Keras"]()
    # Same computation on both sides, or the timing means nothing.
    error = max(relative_error(a, b) for a, b in zip([dx, *grads], reference, strict=True))
    # NumPy and TensorFlow alternate: let each one's idle worker threads go quiet first.
    return alternate(candidates, rounds, warmup, settle_seconds=0.3), error


def describe_environment():
    tf = import_tensorflow()
    import keras

    info = blas_info()
    blas = f"{info['library'] or 'unknown BLAS'}, {info['threads'] or '?'} threads"
    if info["kernels"]:
        blas += f", {info['kernels']} kernels"
    if info["coretype"]:
        blas += f", OPENBLAS_CORETYPE={info['coretype']}"
    print(f"NumPy {np.__version__} ({blas})")
    if info["coretype"] or os.environ.get("OPENBLAS_L2_SIZE"):
        print("  OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set in this environment and choose "
              "OpenBLAS's kernels instead of letting it detect the CPU; to measure what NumPy "
              "does without them: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m "
              "lstm_lib.bench numpy")
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, run on the CPU")
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, load average {_load()}")


def _load():
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def headline(B, T, D, H, rounds):
    threads = blas_info()["threads"]
    single_thread_too = threads is not None and threads > 1
    print(f"\nLSTM forward + backward, B={B} T={T} D={D} H={H}, float32, "
          f"{rounds} alternating rounds after 2 warm-up rounds")  # fmt: skip
    peaks = {"NumPy": matmul_peak()}
    if single_thread_too:
        with blas_threads(1):
            peaks["NumPy, 1 BLAS thread"] = matmul_peak()
    times, error = compare(B, T, D, H, rounds, single_thread_too=single_thread_too, floor_too=True)
    flops = lstm_flops(B, T, D, H)
    chain_flops = recurrent_flops(B, T, H)
    print(f"gradients agree with Keras's to {error:.1e} (relative_error, the largest of dx, dW)")
    print("NumPy float32 matmul peak (2048 x 2048 x 2048, best of 5): "
          + ", ".join(f"{peak:.1f} GFLOP/s ({name})" for name, peak in peaks.items()))  # fmt: skip
    rows = []
    for name, t in times.items():
        gflops = (chain_flops if name == CHAIN else flops) / np.median(t) / 1e9
        rows.append([
            name, f"{1e3 * np.median(t):.2f}", f"{1e3 * min(t):.2f}", f"{1e3 * max(t):.2f}",
            f"{median_ratio(times, 'Keras', name):.2f}x", f"{gflops:.1f}",
            f"{gflops / peaks.get(name, peaks['NumPy']):.0%}" if name != "Keras" else "",
        ])  # fmt: skip
    print_table(
        ["", "median ms", "min ms", "max ms", "Keras/this", "GFLOP/s", "of peak"], rows
    )
    print(f"median keras_time / numpy_time: {median_ratio(times, 'Keras', 'NumPy'):.2f}x "
          f"(median over rounds of the per-round ratio)")  # fmt: skip
    ms = {name: 1e3 * np.median(t) for name, t in times.items()}
    elementwise = ms["NumPy"] - ms[FLOOR]
    print(f"for 1.5x, NumPy would need <= {ms['Keras'] / 1.5:.1f} ms. Here its matrix products "
          f"alone take {ms[FLOOR]:.1f} ms, of which the {2 * T} that depend on each other step "
          f"by step (h @ U, dz @ U.T) {ms[CHAIN]:.1f} ms; the rest of the NumPy time, "
          f"{elementwise:.1f} ms, is the gates' elementwise work and the Python loop, which lie "
          f"on the same chain")
    print(f"load average after: {_load()}")


def scaling(D, B, rounds, units=(64, 128, 256, 512), steps=(50, 100, 200, 400)):
    print(f"\nScaling, B={B} D={D}, {rounds} alternating rounds each (medians)")
    rows = []
    for H in units:
        per_step_at_first_T = None
        for T in steps:
            times, _ = compare(B, T, D, H, rounds, warmup=1)
            t_numpy, t_keras = np.median(times["NumPy"]), np.median(times["Keras"])
            per_step_at_first_T = per_step_at_first_T or t_numpy / T
            rows.append([
                H, T, f"{1e3 * t_numpy:.1f}", f"{1e3 * t_keras:.1f}",
                f"{median_ratio(times, 'Keras', 'NumPy'):.2f}",
                f"{lstm_flops(B, T, D, H) / t_numpy / 1e9:.1f}",
                f"{1e6 * t_numpy / T:.0f}", f"{t_numpy / T / per_step_at_first_T:.2f}",
            ])  # fmt: skip
            print(".", end="", file=sys.stderr, flush=True)  # progress: rows take seconds
    print(file=sys.stderr)
    print_table(
        ["H", "T", "NumPy ms", "Keras ms", "Keras/NumPy", "NumPy GFLOP/s", "NumPy us/step",
         f"us/step vs T={steps[0]}"],
        rows,
    )  # fmt: skip
    print("Time linear in T means a constant us/step: the last column stays near 1.00.")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m lstm_lib.bench numpy",
        description="The NumPy LSTM against keras.layers.LSTM, forward + backward, float32.",
    )
    add_run_arguments(parser)
    parser.add_argument("--blas-threads", type=int,
                        help="threads for NumPy's OpenBLAS (default: as configured)")
    args = parser.parse_args(argv)
    rounds, table_rounds = round_counts(args)
    with blas_threads(args.blas_threads):
        describe_environment()
        headline(args.batch, args.time, args.input, args.units, rounds)
        if not args.no_scaling:
            scaling(args.input, args.batch, table_rounds)
    return 0
