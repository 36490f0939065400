"""Benchmarks that the performance chapter and the README quote: ratios measured in one run.

    python -m lstm_lib.bench numpy        NumPy LSTM vs keras.layers.LSTM (numpy_bench.py)
    python -m lstm_lib.bench tensorflow   the TensorFlow track vs Keras (tensorflow_bench.py)

Each subcommand lives in <name>_bench.py and exposes main(argv) -> exit status; timing.py holds
the helpers they share (alternating rounds, medians, matmul peak, tables), blas.py the control
of NumPy's BLAS threads. Chapter 08 uses these too, and two more: counting.py counts the matrix
products a NumPy computation takes, scaling.py builds the candidates of a timing over sizes.
"""
