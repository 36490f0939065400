"""What a user can get wrong, caught early with a message naming what was expected and given.

check_implementation Keras's legacy implementation argument: 0, 1 or 2
refuse_unsupported   Keras arguments lstm_lib does not implement: accepted only at the
                     Keras default (so a Keras config loads), a ValueError otherwise
check_inputs         x must be (batch, time, D)
check_steps_known    unroll=True: the number of time steps known when the graph is built
check_initial_state  the right number of states, each (batch, H)
check_stateful_batch stateful=True: every batch the size the states were built for
check_mask           mask must be (batch, time)
"""

import keras
import tensorflow as tf

# Keras recurrent-layer arguments that lstm_lib does not implement, with the values that mean
# "the behaviour lstm_lib has anyway" (the first is Keras's default).
NOT_IMPLEMENTED = {
    "activation": ("tanh",),
    "recurrent_activation": ("sigmoid",),
    "use_cudnn": ("auto", False),
    "time_major": (False,),
}

_ACTIVATION_NAMES = {tf.tanh: "tanh", tf.sigmoid: "sigmoid"}


def _as_activation_name(value):
    if isinstance(value, str) or value is None:
        return value
    if value in _ACTIVATION_NAMES:
        return _ACTIVATION_NAMES[value]
    try:
        return keras.activations.serialize(keras.activations.get(value))
    except (TypeError, ValueError):
        return value


def refuse_unsupported(where, kwargs, not_in_keras=()):
    """Pop the NOT_IMPLEMENTED arguments out of kwargs; raise if one asks for other behaviour.

    not_in_keras: NOT_IMPLEMENTED arguments that this layer's Keras twin does not take either
    (SimpleRNN takes no recurrent_activation); they are left in kwargs for Keras to reject.
    """
    for name, accepted in NOT_IMPLEMENTED.items():
        if name not in kwargs or name in not_in_keras:
            continue
        value = kwargs.pop(name)
        if name.endswith("activation"):
            value = _as_activation_name(value)
        if not any(value is a or (type(value) is type(a) and value == a) for a in accepted):
            raise ValueError(
                f"{where}: {name}={value!r} is not supported; lstm_lib implements only "
                f"{name}={accepted[0]!r} (use keras.layers.{where} for other values)"
            )
    return kwargs


def check_implementation(where, value):
    """Keras's legacy implementation switch (0, 1 or 2: orderings of the same arithmetic)."""
    if isinstance(value, bool) or value not in (0, 1, 2):
        raise ValueError(f"{where}: implementation must be 0, 1 or 2, got {value!r}")
    return int(value)


def check_rate(where, name, value):
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{where}: {name} must be in [0, 1), got {value!r}")
    return float(value)


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(tf.convert_to_tensor(x).shape)


def check_inputs(where, shape, features=None):
    """shape must be (batch, time, features); features=None before build."""
    shape = tuple(shape)
    expected = f"(batch, time, {features if features is not None else 'features'})"
    if len(shape) != 3 or (
        features is not None and shape[-1] is not None and shape[-1] != features
    ):
        raise ValueError(f"{where}: inputs must be {expected}, got {shape}")
    if shape[-1] is None:
        raise ValueError(f"{where}: inputs must have a known feature size {expected}, got {shape}")


def check_steps_known(where, shape):
    """unroll=True writes the loop out once per time step: their number must be known."""
    if shape[1] is None:
        raise ValueError(
            f"{where}: unroll=True needs the number of time steps when the graph is built "
            f"(give keras.Input a shape with it), got inputs {tuple(shape)}"
        )


def check_initial_state(where, initial_state, state_names, units, batch):
    """initial_state: a tensor or a list of len(state_names) tensors, each (batch, units).
    Returns the states as a list."""
    states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
    n = len(state_names)
    if len(states) != n:
        raise ValueError(
            f"{where}: initial_state must be {n} tensor{'s' if n > 1 else ''} "
            f"[{', '.join(state_names)}], each (batch, {units}), got {len(states)}"
        )
    for k, (s, name) in enumerate(zip(states, state_names, strict=True)):
        shape = _shape(s)
        ok = len(shape) == 2 and shape[1] in (None, units)
        ok = ok and (batch is None or shape[0] is None or shape[0] == batch)
        if not ok:
            expected = f"({batch if batch is not None else 'batch'}, {units})"
            raise ValueError(
                f"{where}: initial_state[{k}] ({name}) must be {expected}, got {shape}"
            )
    return states


def check_stateful_batch(where, expected, batch):
    """stateful=True keeps one state per batch index: every batch must have the same size."""
    if batch is not None and batch != expected:
        raise ValueError(
            f"{where}: stateful=True keeps states for a batch of {expected}; inputs must have "
            f"that batch size, got {batch} (reset_states() does not change it)"
        )


def check_mask(where, mask, batch, time):
    shape = _shape(mask)
    ok = len(shape) == 2 and all(
        want is None or got is None or want == got
        for want, got in zip((batch, time), shape, strict=True)
    )
    if not ok:
        raise ValueError(f"{where}: mask must be (batch, time) = ({batch}, {time}), got {shape}")
