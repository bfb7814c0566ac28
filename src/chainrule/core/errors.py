"""The errors chainrule raises. Each message names the operation and what to do."""


class ChainruleError(Exception):
    """Base class of chainrule's own errors."""


class MissingRuleError(ChainruleError, TypeError, NotImplementedError):
    """A traced value reached a function that has no derivative rule for it."""

    def __init__(self, name, argnum, mode):
        kind = "reverse-mode (VJP)" if mode == "rev" else "forward-mode (JVP)"
        definer = "defvjp" if mode == "rev" else "defjvp"
        super().__init__(
            f"chainrule: '{name}' has no {kind} rule for argument {argnum}, so it cannot be "
            f"differentiated. Define one with "
            f"chainrule.extend.{definer}({name.split('.')[-1]}, ...), or wrap the computation "
            "in your own chainrule.extend.primitive."
        )


class TracedWriteError(ChainruleError, TypeError):
    """A traced value was about to be turned into a plain number or written into a plain array."""


class EscapedTraceError(ChainruleError, RuntimeError):
    """A traced value was used after the derivative that traced it had returned: it
    was stored during that call (in a global, a closure, an attribute, a list, a
    generator) instead of being returned, and its derivative can no longer be
    recorded. The message says which derivative of which function it escaped from."""

    def __init__(self, origin, use):
        super().__init__(
            f"chainrule: a traced value escaped from {origin} and was used ({use}) after "
            "that call had returned: it was stored during the call (in a global, a closure, "
            "an attribute, a list, a generator) instead of being returned. Return it from the "
            "function (has_aux=True, or grad_and_aux, returns extra outputs), or store its "
            "plain value, chainrule.extend.getval(x), if its derivative is not needed.")


class NotDifferentiableError(ChainruleError, NotImplementedError):
    """The derivative does not exist or is not provided for these arguments
    (for example svd(full_matrices=True) of a non-square matrix); the message
    says which case and what to use instead."""


class ArrayLibraryError(ChainruleError, TypeError, NotImplementedError):
    """A function cannot run (or cannot run as chainrule promises: lazily on Dask,
    on the device on CuPy) on the array library of its arguments."""

    def __init__(self, function, library, reason):
        self.function, self.library = function, library
        super().__init__(f"chainrule: {function} cannot run on {library} arrays: {reason}. "
                         "The README's 'Other array libraries' table says what works where.")


class IndependentOutputWarning(UserWarning):
    """A differentiated function's output does not depend on the argument it is
    differentiated with respect to (a forgotten ``return``, ``lambda v: 1.0``): the
    derivative is zero. To make it an error:
    ``warnings.simplefilter("error", chainrule.IndependentOutputWarning)``."""
