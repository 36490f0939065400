"""python -m lstm_lib.bench tensorflow: lstm_lib.tensorflow's LSTM and GRU against Keras's.

    python -m lstm_lib.bench tensorflow [--repeats 20] [--quick] [--no-scaling] [--xla]
                                        [--batch 64] [--time 100] [--input 32] [--units 128]

One process, float32, the same weights, input and upstream gradient on both sides: forward +
backward under tf.function with a tf.GradientTape (gradients with respect to the input and the
three weights), ours against keras.layers.LSTM / GRU on the default device. Rounds alternate
after a warm-up (see timing.py); the headline is the median over rounds of ours_time /
keras_time, so below 1 means ours is faster. With --xla, both are also timed with the whole
step compiled by XLA (tf.function(jit_compile=True)). On a GPU, Keras's cuDNN kernel is timed
as well (keras.layers.LSTM's default there); on a CPU-only machine that part is skipped, and
said so. Unless --no-scaling, a table of the LSTM ratio over H and T follows.
"""

import argparse
import os
import platform

import numpy as np

from lstm_lib.numpy import relative_error

from .timing import add_run_arguments, alternate, median_ratio, print_table, round_counts

TARGET = 0.9  # ours / keras, LSTM forward + backward


def _tf():
    from lstm_lib.tf_startup import import_tensorflow

    tf = import_tensorflow()
    import keras

    return tf, keras


def make_problem(kind, B, T, D, H, seed=0):
    """Our layer (Keras's default initialisers, seeded), an input and an upstream gradient."""
    tf, keras = _tf()
    from lstm_lib import tensorflow as ltf

    keras.utils.set_random_seed(seed)
    ours = getattr(ltf, kind)(H, return_sequences=True)
    ours.build((B, T, D))
    rng = np.random.default_rng(seed)
    x = tf.constant(rng.standard_normal((B, T, D), dtype=np.float32))
    dy = tf.constant(rng.standard_normal((B, T, H), dtype=np.float32))
    return ours, ours.get_weights(), x, dy


def keras_layer(kind, weights, shape, use_cudnn):
    _, keras = _tf()
    layer = getattr(keras.layers, kind)(weights[1].shape[0], return_sequences=True,
                                        use_cudnn=use_cudnn)  # fmt: skip
    layer.build(shape)
    layer.set_weights(weights)
    return layer


def runner(layer, x, dy, jit_compile=False):
    """A callable running forward + backward once; returns [dx, dkernel, drecurrent, dbias]."""
    tf, _ = _tf()

    @tf.function(jit_compile=jit_compile)
    def forward_backward(x, dy):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
        # output_gradients=dy: the gradient of sum(y * dy).
        return tape.gradient(y, [x, *layer.trainable_weights], output_gradients=dy)

    return lambda: [g.numpy() for g in forward_backward(x, dy)]


def has_gpu():
    tf, _ = _tf()
    return bool(tf.config.list_logical_devices("GPU"))


def candidates(kind, B, T, D, H, xla=False, cudnn=False):
    """{name: run}: ours and Keras's generic loop, optionally under XLA and Keras's cuDNN path.
    Also returns the gradients' largest relative_error against Keras's."""
    ours, weights, x, dy = make_problem(kind, B, T, D, H)
    theirs = keras_layer(kind, weights, (B, T, D), use_cudnn=False)
    runs = {"ours": runner(ours, x, dy), "keras": runner(theirs, x, dy)}
    if xla:
        runs["ours XLA"] = runner(ours, x, dy, jit_compile=True)
        runs["keras XLA"] = runner(theirs, x, dy, jit_compile=True)
    if cudnn:
        runs["keras cuDNN"] = runner(keras_layer(kind, weights, (B, T, D), "auto"), x, dy)
    reference = runs["keras"]()
    error = max(relative_error(g, r) for run in runs.values()
                for g, r in zip(run(), reference, strict=True))
    return runs, error


def describe_environment():
    tf, keras = _tf()
    devices = ", ".join(d.name for d in tf.config.list_logical_devices())
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}; devices: {devices}")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")


def headline(B, T, D, H, rounds, xla):
    cudnn = has_gpu()
    print(f"\nForward + backward under tf.function, B={B} T={T} D={D} H={H}, float32, "
          f"{rounds} alternating rounds after 2 warm-up rounds")  # fmt: skip
    if not cudnn:
        print("Keras's cuDNN path: skipped (no GPU visible to TensorFlow; "
              "on a CPU Keras runs its generic loop, timed here as `keras`)")  # fmt: skip
    ratios = {}
    for kind in ("LSTM", "GRU"):
        runs, error = candidates(kind, B, T, D, H, xla=xla, cudnn=cudnn)
        times = alternate(runs, rounds, warmup=2)
        print(f"\n{kind}: gradients agree with Keras's to {error:.1e} "
              "(relative_error, the largest of dx, dW)")  # fmt: skip
        print_table(
            ["", "median ms", "min ms", "max ms", "/ keras (median of rounds)"],
            [[name, f"{1e3 * np.median(t):.2f}", f"{1e3 * min(t):.2f}", f"{1e3 * max(t):.2f}",
              f"{median_ratio(times, name, 'keras'):.2f}x"] for name, t in times.items()],
        )  # fmt: skip
        ratios[kind] = median_ratio(times, "ours", "keras")
    print()
    for kind, ratio in ratios.items():
        print(f"{kind}: ours / keras.layers.{kind} = {ratio:.2f}x (median over rounds)")
    verdict = "met" if ratios["LSTM"] <= TARGET else "NOT met"
    print(f"Target LSTM ours / keras <= {TARGET:.2f}x: {verdict}")
    return ratios


def scaling(B, D, rounds, units=(64, 128, 256, 512), steps=(50, 100, 200, 400)):
    print(f"\nLSTM scaling, B={B} D={D}, {rounds} alternating rounds each (median ms)")
    rows = []
    for H in units:
        for T in steps:
            runs, _ = candidates("LSTM", B, T, D, H)
            times = alternate(runs, rounds, warmup=1)
            rows.append([H, T, f"{1e3 * np.median(times['ours']):.1f}",
                         f"{1e3 * np.median(times['keras']):.1f}",
                         f"{median_ratio(times, 'ours', 'keras'):.2f}"])  # fmt: skip
    print_table(["H", "T", "ours ms", "keras ms", "ours / keras"], rows)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m lstm_lib.bench tensorflow", description=__doc__.split("\n")[0]
    )
    add_run_arguments(parser)
    parser.add_argument("--xla", action="store_true", help="also time both with jit_compile=True")
    args = parser.parse_args(argv)
    rounds, table_rounds = round_counts(args)
    describe_environment()
    headline(args.batch, args.time, args.input, args.units, rounds, args.xla)
    if not args.no_scaling:
        scaling(args.batch, args.input, table_rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
