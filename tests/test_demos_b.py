"""Part B demos (depth, transfer, curriculum) in their --quick size: numbers, figures, seeds."""

import argparse
import json

import pytest

pytest.importorskip("matplotlib")

from chainrule.demos import curriculum, depth, transfer  # noqa: E402
from chainrule.demos.common import deterministic_numbers, json_ready  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def _run(module, out, seed=0):
    args = argparse.Namespace(seed=seed, out=out, quick=True, progress=False)
    report = module.run(args)
    assert report["demo"] == module.NAME and report["seed"] == seed and report["quick"] is True
    assert report["summary"] and all(isinstance(s, str) for s in report["summary"])
    json.dumps(json_ready(report), allow_nan=False)  # the CLI can write it as report.json
    for fig in report["figures"]:
        path = out / fig["file"]
        assert fig["caption"] and path.read_bytes()[:8] == PNG and path.stat().st_size > 1024
    return report


@pytest.fixture(scope="module")
def depth_report(tmp_path_factory):
    return _run(depth, tmp_path_factory.mktemp("depth"))


def test_depth_skip_connections_and_batch_norm_beat_the_plain_network(depth_report):
    arch = depth_report["numbers"]["architectures"]
    assert set(arch) == {"plain", "residual", "batchnorm", "both"}
    plain = arch["plain"]["final_train_loss"]
    assert plain > 2.2                                   # stuck near log 10 = 2.303
    assert arch["residual"]["final_train_loss"] < plain - 0.5
    assert arch["batchnorm"]["final_train_loss"] < plain - 0.5
    assert arch["both"]["final_train_loss"] < plain - 0.5
    assert {f["file"] for f in depth_report["figures"]} == {"depth.png", "init_loss.png"}


def test_depth_initial_variance_makes_gradients_vanish_or_explode(depth_report):
    init = depth_report["numbers"]["initializations"]
    layers = depth_report["numbers"]["layers"]
    assert all(len(r["grad_norms"]) == layers + 1 for r in init.values())
    small, large, xavier, he = (init[k] for k in ("small", "large", "xavier", "he"))
    assert max(small["grad_norms"]) < 1e-3                          # vanished everywhere
    assert large["grad_norm_first"] > 100 * large["grad_norm_last"]  # explodes to the input
    for good in (xavier, he):
        assert 1e-2 < min(good["grad_norms"]) and max(good["grad_norms"]) < 10
        assert 0.1 < good["first_to_last"] < 10                     # level across depth
    assert small["grad_norm_first"] < xavier["grad_norm_first"] < large["grad_norm_first"]
    assert xavier["final_train_loss"] < small["final_train_loss"]


def test_transfer_reports_fine_tuned_and_scratch(tmp_path):
    numbers = _run(transfer, tmp_path)["numbers"]
    assert numbers["mean_source_test_accuracy"] > 0.8                # pre-training learned
    for name in ("fine_tuned", "scratch"):
        for group in ("all", "seen", "new"):
            r = numbers[name][group]
            assert len(r["steps_to_target"]) == numbers["seeds"]
            assert len(r["mean_curve"]) == numbers["steps"] + 1    # step 0 included
            assert 0.5 < r["mean_final_accuracy"] <= 1.0 and 0 < r["mean_auc"] <= 1.0
    assert len(numbers["steps_saved"]) == numbers["seeds"]
    # the pre-trained body gives a head start on the digits it has seen
    assert numbers["fine_tuned"]["seen"]["mean_auc"] > numbers["scratch"]["seen"]["mean_auc"]


def test_curriculum_reports_final_and_auc_numbers(tmp_path):
    report = _run(curriculum, tmp_path)
    numbers = report["numbers"]
    for name in ("random", "curriculum"):
        for key in ("final_test_accuracy", "auc_test_accuracy", "final_train_loss",
                    "auc_train_loss"):
            assert len(numbers[name][key]["per_seed"]) == numbers["seeds"]
        assert 0.5 < numbers[name]["auc_test_accuracy"]["mean"] <= 1.0
    assert numbers["admitted_fraction"][0] == pytest.approx(numbers["start_fraction"])
    assert numbers["admitted_fraction"][-1] == 1.0
    assert "difference_curriculum_minus_random" in numbers and report["notes"]


def test_same_seed_same_numbers(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _run(curriculum, tmp_path / "a", seed=3)
    b = _run(curriculum, tmp_path / "b", seed=3)
    assert deterministic_numbers(a["numbers"]) == deterministic_numbers(b["numbers"])
    assert a["summary"] == b["summary"]
