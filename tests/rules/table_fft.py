"""Rule table: chainrule.numpy.fft.

Two kinds of entries: the transform itself, with real and complex inputs
(complex Jacobians of real inputs, batched tangents and cotangents of complex
ones), and a real, nonlinear function of it (``_sq``), so that the Hessian
runs through the rules with a nonzero second derivative.
"""

import chainrule.numpy as np

from . import C, Case, R

fft = np.fft
_W = 0.6 - 0.8j  # mixes real and imaginary parts into one real output


def _sq(f):
    """A real, nonlinear function of the transform: Re(w f(x)²)."""
    def g(*args):
        y = f(*args)
        return np.real(_W * y * y)
    return g


def _c(name, fun, arglists, id=None, **kw):
    return Case(f"numpy.fft.{name}", fun, arglists, id=id or f"fft.{name}", **kw)


def _cs(name, fun, arglists, id=None, **kw):
    return Case(f"numpy.fft.{name}", _sq(fun), arglists, id=id or f"fft.{name}.sq", **kw)


CASES = [
    # -- complex to complex -------------------------------------------------------------
    _c("fft", fft.fft, [[R(5)], [C(5)], [C(2, 3)]]),
    _c("fft", lambda x: fft.fft(x, n=6, axis=0, norm="ortho"), [[R(3, 2)], [C(4, 2)]],
       id="fft.fft.n-axis"),
    _c("fft", lambda x: fft.fft(x, n=3, norm="forward"), [[R(2, 5)], [C(5)]], id="fft.fft.crop"),
    _cs("fft", fft.fft, [[R(4)], [R(2, 3)]]),
    _cs("fft", lambda x: fft.fft(x, n=5, axis=0), [[R(3, 2)]], id="fft.fft.pad.sq"),
    _c("ifft", fft.ifft, [[C(4)], [R(2, 3)]]),
    _c("ifft", lambda x: fft.ifft(x, n=3, axis=0, norm="ortho"), [[C(4, 2)], [R(2, 2)]],
       id="fft.ifft.n-axis"),
    _cs("ifft", lambda x: fft.ifft(x, norm="forward"), [[R(5)], [R(2, 3)]]),
    _c("fftn", fft.fftn, [[R(2, 3)], [C(2, 2, 3)]]),
    _c("fftn", lambda x: fft.fftn(x, s=(3, 4), axes=(1, 0), norm="ortho"), [[C(2, 3)], [R(4, 2)]],
       id="fft.fftn.s-axes"),
    _c("fftn", lambda x: fft.fftn(x, axes=(1, 1)), [[C(2, 3)]], id="fft.fftn.repeated"),
    _cs("fftn", lambda x: fft.fftn(x, s=(2, 4), axes=(-2, -1)), [[R(3, 3)], [R(2, 3, 2)]]),
    _c("ifftn", fft.ifftn, [[C(2, 3)], [R(3, 2)]]),
    _c("ifftn", lambda x: fft.ifftn(x, s=(5,), axes=(0,), norm="forward"), [[C(3, 2)]],
       id="fft.ifftn.s-axes"),
    _cs("ifftn", lambda x: fft.ifftn(x, axes=(-1, 0)), [[R(2, 3)]]),
    _c("fft2", fft.fft2, [[R(2, 3)], [C(2, 2, 3)]]),
    _cs("fft2", lambda x: fft.fft2(x, s=(3, 2), norm="ortho"), [[R(2, 3)]]),
    _c("ifft2", lambda x: fft.ifft2(x, s=(2, 5)), [[C(3, 3)], [R(2, 3)]]),
    _cs("ifft2", fft.ifft2, [[R(2, 2, 2)]]),
    # -- real to half spectrum and back ------------------------------------------------------
    _c("rfft", fft.rfft, [[R(6)], [R(5)], [R(2, 4)]]),
    _c("rfft", lambda x: fft.rfft(x, n=7, axis=0, norm="ortho"), [[R(4, 2)], [R(8, 2)]],
       id="fft.rfft.n-axis"),
    _cs("rfft", fft.rfft, [[R(4)], [R(5)], [R(2, 3)]]),
    _cs("rfft", lambda x: fft.rfft(x, n=4, norm="forward"), [[R(6)], [R(3)]],
        id="fft.rfft.n.sq"),
    _c("irfft", fft.irfft, [[C(4)], [C(2, 3)], [R(3)]]),
    _c("irfft", lambda x: fft.irfft(x, n=7, axis=0, norm="ortho"), [[C(3, 2)], [C(5, 2)]],
       id="fft.irfft.n-axis"),
    _c("irfft", lambda x: fft.irfft(x, n=4, norm="forward"), [[C(3)], [C(5)]],
       id="fft.irfft.crop"),
    _cs("irfft", lambda x: fft.irfft(x, n=5), [[R(3)], [R(2, 4)]]),
    _cs("irfft", lambda x: fft.irfft(x * (1 + 0.5j)), [[R(4)]], id="fft.irfft.cplx.sq"),
    _c("rfftn", fft.rfftn, [[R(2, 3)], [R(2, 2, 4)]]),
    _c("rfftn", lambda x: fft.rfftn(x, s=(3, 5), axes=(0, 2), norm="ortho"), [[R(2, 2, 4)]],
       id="fft.rfftn.s-axes"),
    _c("rfftn", lambda x: fft.rfftn(x, axes=(1, 1)), [[R(2, 4)]], id="fft.rfftn.repeated"),
    _cs("rfftn", lambda x: fft.rfftn(x, s=(3, 3), axes=(0, 1)), [[R(2, 3)], [R(2, 4)]]),
    _c("irfftn", fft.irfftn, [[C(2, 3)], [C(3, 2, 2)]]),
    _c("irfftn", lambda x: fft.irfftn(x, s=(4, 5), axes=(1, 0), norm="forward"), [[C(3, 3)]],
       id="fft.irfftn.s-axes"),
    _c("irfftn", lambda x: fft.irfftn(x, axes=(0, 0, 1)), [[C(2, 3)]], id="fft.irfftn.repeated"),
    _cs("irfftn", lambda x: fft.irfftn(x * (1 - 0.3j), s=(3, 5), axes=(0, 1)), [[R(2, 3)]]),
    _c("rfft2", fft.rfft2, [[R(3, 4)], [R(2, 2, 3)]]),
    _cs("rfft2", lambda x: fft.rfft2(x, s=(2, 5), norm="ortho"), [[R(3, 3)]]),
    _c("irfft2", fft.irfft2, [[C(3, 3)], [C(2, 2, 2)]]),
    _cs("irfft2", lambda x: fft.irfft2(x * 1j, s=(3, 3)), [[R(3, 2)]]),
    # -- Hermitian signals ------------------------------------------------------------------------
    _c("hfft", fft.hfft, [[C(4)], [C(2, 3)]]),
    _c("hfft", lambda x: fft.hfft(x, n=5, axis=0, norm="ortho"), [[C(3, 2)]], id="fft.hfft.n"),
    _cs("hfft", lambda x: fft.hfft(x * (0.5 + 1j), n=5), [[R(3)], [R(2, 3)]]),
    _c("ihfft", fft.ihfft, [[R(6)], [R(2, 5)]]),
    _c("ihfft", lambda x: fft.ihfft(x, n=4, norm="forward"), [[R(5)]], id="fft.ihfft.n"),
    _cs("ihfft", fft.ihfft, [[R(5)], [R(2, 4)]]),
    # -- shifts ---------------------------------------------------------------------------------
    _c("fftshift", fft.fftshift, [[R(5)], [R(3, 4)], [C(3, 2)]]),
    _c("fftshift", lambda x: fft.fftshift(x, axes=1), [[R(2, 5)]], id="fft.fftshift.axes"),
    _c("ifftshift", fft.ifftshift, [[R(5)], [R(3, 4)], [C(3)]]),
    _c("ifftshift", lambda x: fft.ifftshift(x, axes=(0,)), [[R(3, 2)]], id="fft.ifftshift.axes"),
    Case(["numpy.fft.fftshift", "numpy.fft.ifftshift"],
         lambda x: fft.ifftshift(fft.fftshift(x) ** 2), [[R(5)], [R(2, 3)]], id="fft.shifts.sq"),
]
