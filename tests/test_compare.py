import importlib.util
import json

from somcolor.cli import main
from somcolor.evaluation.compare import compare, default_methods, format_table
from somcolor.io.images import read_image
from somcolor.io.writing import write_png

HAS_TORCH = importlib.util.find_spec("torch") is not None


def fast_methods():
    from somcolor import SOMColorizer
    from somcolor.evaluation.baselines import PatchRegressor

    methods = default_methods(seed=0, cnn_epochs=1)
    methods.update({
        "MSE patch regressor": lambda: PatchRegressor(pixels_per_image=200, max_iter=2, random_state=0),
        "somcolor, argmax, no rebalancing (paper's decoding)": lambda: SOMColorizer(decode="argmax", rebalance=None, pixels_per_image=200, max_iter=2, random_state=0),
        "somcolor, annealed + rebalanced (default)": lambda: SOMColorizer(pixels_per_image=200, max_iter=2, random_state=0),
    })
    assert set(methods) == {"gray (no chroma)", "per-L mean chroma", "MSE patch regressor", "somcolor, argmax, no rebalancing (paper's decoding)",
                            "somcolor, annealed + rebalanced (default)", "CNN, classification (Zhang-style)", "CNN, L1 regression"}
    return methods


def test_compare_end_to_end(small_photos, tmp_path):
    rows = compare(small_photos[:3], small_photos[3:], fast_methods(), out_dir=tmp_path, figure_rows=1)
    by_name = {row["method"]: row for row in rows}
    gray = by_name["gray (no chroma)"]
    assert gray["colorfulness"] < 0.1 and 0 < gray["auc"] <= 100
    for name in ("CNN, classification (Zhang-style)", "CNN, L1 regression"):
        if HAS_TORCH:
            assert "psnr" in by_name[name]
        else:
            assert by_name[name]["skipped"] == 'needs PyTorch: pip install "somcolor[cnn]"'
    saved = json.loads((tmp_path / "comparison.json").read_text())
    assert saved["n_test"] == 1 and len(saved["rows"]) == 8
    markdown = (tmp_path / "comparison.md").read_text()
    assert "| method | PSNR dB |" in markdown and "somcolor, argmax, no rebalancing (paper's decoding)" in markdown
    figure = read_image(tmp_path / "comparison.png")
    assert figure.shape[1] > 9 * small_photos[3].shape[1] * (0.8 if HAS_TORCH else 0.6)
    assert "rebal. AuC %" in format_table(rows)


def test_compare_cli(tmp_path, small_photos, capsys):
    folder = tmp_path / "photos"
    for i, photo in enumerate(small_photos * 2):
        write_png(folder / f"{i:02d}.png", photo)
    code = main(["compare", str(folder), "-o", str(tmp_path / "out"), "--cnn-epochs", "1"])
    assert code == 0
    out = capsys.readouterr().out
    assert "somcolor, annealed + rebalanced (default)" in out and "original photos" in out
    assert (tmp_path / "out" / "comparison.md").exists()
    # Its own reports are replaced on a rerun; a file it did not write is refused before any training.
    (tmp_path / "out" / "comparison.png").write_bytes(b"a photo of mine")
    assert main(["compare", str(folder), "-o", str(tmp_path / "out"), "--cnn-epochs", "1"]) == 2
    assert "comparison.png: already exists and somcolor did not write it" in capsys.readouterr().err
    assert (tmp_path / "out" / "comparison.png").read_bytes() == b"a photo of mine"


def test_compare_cli_across_sources(tmp_path, small_photos, capsys):
    # Two "sources": the photos as they are, and the same scenes halved in size and mirrored.
    first, second = tmp_path / "first", tmp_path / "second"
    for i, photo in enumerate(small_photos + small_photos[:1]):
        write_png(first / f"{i:02d}.png", photo)
        write_png(second / f"{i:02d}.png", photo[::2, ::-2])
    code = main(["compare", str(first), "--other", str(second), "-o", str(tmp_path / "out"), "--cnn-epochs", "1"])
    assert code == 0
    out = capsys.readouterr().out
    for split in ("first (in-source)", "second (in-source)", "first -> second", "second -> first"):
        assert f"### {split}" in out
    saved = json.loads((tmp_path / "out" / "yardstick.json").read_text())
    assert [(s["split"], s["n_train"], s["n_test"]) for s in saved] == [
        ("first (in-source)", 4, 1), ("second (in-source)", 4, 1), ("first -> second", 5, 5), ("second -> first", 5, 5)]
    assert all(len(s["rows"]) == 8 for s in saved)
    assert (tmp_path / "out" / "first-to-second" / "comparison.png").exists()
    (tmp_path / "out" / "first-to-second" / "comparison.md").write_text("# my notes\n")
    assert main(["compare", str(first), "--other", str(second), "-o", str(tmp_path / "out")]) == 2
    assert "comparison.md: already exists and somcolor did not write it" in capsys.readouterr().err
    few = tmp_path / "few"
    write_png(few / "a.png", small_photos[0])
    assert main(["compare", str(first), "--other", str(few), "-o", str(tmp_path / "out2")]) == 2
    assert "few: need at least 5 images to hold every 5th out" in capsys.readouterr().err
