"""lstm_lib.tensorflow under tf.distribute.MirroredStrategy: the CPU split into two logical
devices (which must happen before TensorFlow sets up its devices, hence a fresh process); one
training step on two replicas gives the weights one step on one device gives."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    from lstm_lib.tf_startup import import_tensorflow
    tf = import_tensorflow()
    import numpy as np

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    tf.config.experimental.enable_tensor_float_32_execution(False)  # tests/conftest.py's, here
    import keras
    from lstm_lib import tensorflow as ltf

    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 6, 3)).astype("float32")
    y = rng.standard_normal((8, 1)).astype("float32")

    def train_one_step(weights=None):
        model = keras.Sequential([keras.Input((6, 3)), ltf.LSTM(5, return_sequences=True),
                                  ltf.GRU(4), keras.layers.Dense(1)])
        if weights is not None:
            model.set_weights(weights)
        start = model.get_weights()
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        return start, model.get_weights()

    start, single = train_one_step()
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == 2, strategy.num_replicas_in_sync
    with strategy.scope():
        _, mirrored = train_one_step(start)
    moved = max(float(np.abs(a - b).max()) for a, b in zip(single, start))
    diff = max(float(np.abs(a - b).max()) for a, b in zip(single, mirrored))
    print(f"replicas={strategy.num_replicas_in_sync} moved={moved:.3g} diff={diff:.3g}")
    assert moved > 1e-3, "the step did not change the weights"
    assert diff < 1e-5, diff
""")


def test_mirrored_strategy_step_equals_single_device_step():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "replicas=2" in result.stdout
