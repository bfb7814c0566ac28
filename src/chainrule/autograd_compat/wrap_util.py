"""autograd's ``wrap_util``: turn unary operators into n-ary ones, name wrappers.

:func:`unary_to_nary` is how autograd (and code built on it) defines its
differential operators: write ``op(fun, x)`` for a function of one argument,
get ``op(fun, argnum=0)(*args, **kwargs)``.

>>> @unary_to_nary
... def double_arg(fun, x):
...     return fun(2 * x)
>>> double_arg(lambda a, b: a + b, argnum=1)(1, 10)
21
"""

from .util import subvals

__all__ = ["unary_to_nary", "wraps", "wrap_nary_f", "get_name", "get_doc"]


def unary_to_nary(unary_operator):
    """Make ``unary_operator(fun, x, *op_args, **op_kwargs)`` into
    ``nary_operator(fun, argnum=0, *op_args, **op_kwargs)(*args, **kwargs)``.

    ``argnum`` may be an int or a tuple/list of ints; with several, ``x`` is
    the tuple of those arguments.
    """
    @wraps(unary_operator)
    def nary_operator(fun, argnum=0, *nary_op_args, **nary_op_kwargs):
        if type(argnum) not in (int, tuple, list):
            raise TypeError(f"argnum must be an int or a tuple of ints, not {argnum!r}")

        @wrap_nary_f(fun, unary_operator, argnum)
        def nary_f(*args, **kwargs):
            @wraps(fun)
            def unary_f(x):
                if isinstance(argnum, int):
                    subargs = subvals(args, [(argnum, x)])
                else:
                    subargs = subvals(args, zip(argnum, x, strict=False))
                return fun(*subargs, **kwargs)

            if isinstance(argnum, int):
                x = args[argnum]
            else:
                x = tuple(args[i] for i in argnum)
            return unary_operator(unary_f, x, *nary_op_args, **nary_op_kwargs)

        return nary_f

    return nary_operator


def wraps(fun, namestr="{fun}", docstr="{doc}", **kwargs):
    """Decorator giving the wrapper a name and docstring built from ``fun``'s.

    >>> @wraps(len, namestr="my_{fun}")
    ... def f(): pass
    >>> f.__name__
    'my_len'
    """
    def _wraps(f):
        try:
            f.__name__ = namestr.format(fun=get_name(fun), **kwargs)
            f.__doc__ = docstr.format(fun=get_name(fun), doc=get_doc(fun), **kwargs)
        except (AttributeError, TypeError, KeyError, IndexError, ValueError):
            pass  # names are cosmetic: never fail because of one (autograd does the same)
        return f

    return _wraps


def wrap_nary_f(fun, op, argnum):
    """Name a derived function ``{op}_of_{fun}_wrt_argnum_{argnum}``."""
    namestr = "{op}_of_{fun}_wrt_argnum_{argnum}"
    docstr = """\
    {op} of function {fun} with respect to argument number {argnum}. Takes the
    same arguments as {fun} but returns the {op}.
    """
    return wraps(fun, namestr, docstr, op=get_name(op), argnum=argnum)


def get_name(f):
    """``f.__name__``, or ``"[unknown name]"``."""
    return getattr(f, "__name__", "[unknown name]")


def get_doc(f):
    """``f.__doc__``, or ``""``."""
    return getattr(f, "__doc__", "") or ""
