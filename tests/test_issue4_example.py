"""The example of GitHub issue 4, run exactly as written there."""

import contextlib
import io

EXAMPLE = '''\
from chainrule import nn, optim, data
X, y = data.iris(features=("petal_length", "petal_width"))   # shipped with the package, no download
model = nn.Sequential(nn.Linear(2, 16), nn.Sigmoid(), nn.Linear(16, 3))
params = model.init(seed=0)               # a plain container of arrays
opt = optim.GD(lr=0.5)                    # also SGD, Momentum (Nesterov option), Adam
params, history = nn.fit(model, params, opt, X, y, loss=nn.softmax_cross_entropy,
                         epochs=2000, batch_size=None, seed=0)
print(history.loss[-1], nn.accuracy(model(params, X), y))
'''


def test_issue4_example_runs_as_written():
    out, err = io.StringIO(), io.StringIO()
    namespace = {"__name__": "__issue4__"}
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        exec(compile(EXAMPLE, "issue4_example.py", "exec"), namespace)
    loss, acc = (float(v) for v in out.getvalue().split())
    print(f"\nissue 4 example prints: {out.getvalue().strip()}")
    assert loss < 0.2 and acc >= 0.95
    assert namespace["history"].epochs == 2000
    assert isinstance(namespace["params"], list) and set(namespace["params"][0]) == {"W", "b"}
