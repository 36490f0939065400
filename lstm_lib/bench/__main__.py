"""`python -m lstm_lib.bench <subcommand> [options]` runs lstm_lib.bench.<subcommand>_bench.main."""

import importlib
import sys

SUBCOMMANDS = {
    "numpy": "NumPy LSTM forward + backward vs keras.layers.LSTM",
    "tensorflow": "the TensorFlow-track LSTM vs keras.layers.LSTM",
}


def usage():
    lines = ["usage: python -m lstm_lib.bench {" + ",".join(SUBCOMMANDS) + "} [options]", ""]
    lines += [f"  {name:<11} {text}" for name, text in SUBCOMMANDS.items()]
    lines.append("\n`python -m lstm_lib.bench <subcommand> --help` lists a subcommand's options.")
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in SUBCOMMANDS:
        print(usage(), file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    return importlib.import_module(f"lstm_lib.bench.{argv[0]}_bench").main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
