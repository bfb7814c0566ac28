"""More of NumPy's namespace built from the primitives (signal, statistics, polynomials)."""

__all__ = []
