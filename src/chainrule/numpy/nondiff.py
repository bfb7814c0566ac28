"""The one list of NumPy functions whose outputs carry no derivative.

Each returns integers, booleans, shapes, dtypes, indices, a piecewise
constant function of its input (floor, sign, round...), whose derivative is
zero wherever it exists, or a plan rather than a value (``einsum_path``).
Called on traced values they run on the plain values underneath and return
plain results.
"""

NONDIFFERENTIABLE = """
equal not_equal less less_equal greater greater_equal
logical_and logical_or logical_xor logical_not
isnan isinf isfinite isneginf isposinf isnat isclose allclose array_equal array_equiv
signbit iscomplex isreal iscomplexobj isrealobj isscalar isfortran
all any count_nonzero
argmax argmin argsort argpartition argwhere nonzero flatnonzero searchsorted digitize
nanargmax nanargmin lexsort
bincount histogram histogram2d histogramdd histogram_bin_edges
unique unique_all unique_counts unique_inverse unique_values
intersect1d union1d setdiff1d setxor1d isin
sign floor ceil round around rint trunc fix floor_divide heaviside spacing nextafter
bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_invert bitwise_count invert
left_shift right_shift bitwise_left_shift bitwise_right_shift gcd lcm packbits unpackbits
shape ndim size result_type can_cast promote_types min_scalar_type issubdtype isdtype
common_type mintypecode broadcast_shapes shares_memory may_share_memory iterable typename
zeros ones empty zeros_like ones_like empty_like eye identity arange logspace geomspace
indices tri tril_indices triu_indices tril_indices_from triu_indices_from diag_indices
diag_indices_from mask_indices ravel_multi_index unravel_index ix_
bartlett blackman hamming hanning kaiser
einsum_path
""".split()
