import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from somcolor import load_model
from somcolor.cli import main
from somcolor.io.images import read_image

FAST = ["--pixels-per-image", "300", "--max-iter", "2", "--n-colors", "4"]


def test_fit_then_colorize_end_to_end(tmp_path, train_paths, test_paths, capsys):
    model = tmp_path / "model.skops"
    assert main(["fit", *map(str, train_paths), "-o", str(model), *FAST, "--patch-size", "3"]) == 0
    out = capsys.readouterr().out
    assert "fitted 6 images" in out and str(model) in out
    fitted = load_model(model)
    assert (fitted.patch_size, fitted.n_colors) == (3, 4)

    gray_dir = tmp_path / "gray"
    gray_dir.mkdir()
    for path in test_paths:
        Image.open(path).convert("L").save(gray_dir / f"{path.stem}.png")
    code = main(["colorize", str(model), str(gray_dir), "-o", str(tmp_path / "color"), "--decode", "argmax"])
    assert code == 0
    assert "colorized 3 of 3 images" in capsys.readouterr().out
    for path in test_paths:
        result = read_image(tmp_path / "color" / f"{path.stem}.png")
        assert result.shape == (150, 150, 3)


def test_fit_on_a_folder(tmp_path, train_paths):
    folder = tmp_path / "photos"
    folder.mkdir()
    for path in train_paths[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    assert main(["fit", str(folder), "-o", str(tmp_path / "m.skops"), *FAST]) == 0


def test_colorize_skips_bad_files_without_partial_output(tmp_path, fitted, test_paths, capsys):
    from somcolor import save_model

    save_model(fitted, tmp_path / "m.skops")
    bad = tmp_path / "broken.jpg"
    bad.write_text("not an image")
    tiny = tmp_path / "tiny.png"  # smaller than the patch: colorized all the same
    Image.fromarray(np.zeros((3, 3), np.uint8)).save(tiny)
    out = tmp_path / "out"
    code = main(["colorize", str(tmp_path / "m.skops"), str(test_paths[0]), str(bad), str(tiny), "-o", str(out)])
    assert code == 1
    captured = capsys.readouterr()
    assert "colorized 2 of 3 images" in captured.out
    assert "broken.jpg: not an image" in captured.err
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{test_paths[0].stem}.png", "tiny.png"])


def test_clear_errors(tmp_path, capsys, train_paths):
    assert main(["fit", str(tmp_path / "nowhere"), "-o", str(tmp_path / "m.skops")]) == 2
    assert "nowhere: no such file or folder" in capsys.readouterr().err
    assert main(["colorize", str(tmp_path / "none.skops"), str(train_paths[0]), "-o", str(tmp_path)]) == 2
    assert "none.skops: no such model file" in capsys.readouterr().err
    assert main(["fit", str(train_paths[0]), "-o", str(tmp_path / "m.skops"), "--patch-size", "4"]) == 2
    assert "--patch-size must be odd" in capsys.readouterr().err
    assert not (tmp_path / "m.skops").exists()


def test_same_output_name_is_refused(tmp_path, fitted, train_paths, capsys):
    from somcolor import save_model

    save_model(fitted, tmp_path / "m.skops")
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.jpg").write_bytes(train_paths[0].read_bytes())
    code = main(["colorize", str(tmp_path / "m.skops"), str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(tmp_path / "o")])
    assert code == 2
    assert "would both be written to" in capsys.readouterr().err


def test_demo(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path), "--max-iter", "1"]) == 0
    out = capsys.readouterr().out
    assert "bundled model" in out and "fine-tuned on 48" in out and "gray input" in out
    scores = {line[:18].strip(): float(line[18:27]) for line in out.splitlines()
              if line[:18].strip() in ("gray input", "bundled model", "fine-tuned on 48")}
    assert scores["bundled model"] > scores["gray input"]
    # A column below the gray photo, or the fine-tuned one below the bundled model, is said, not hidden.
    assert all(score >= scores["gray input"] for score in scores.values()) or "note: the " in out
    assert scores["fine-tuned on 48"] > scores["bundled model"] or "note: the fine-tuned on 48 scores below" in out
    figure = read_image(tmp_path / "demo.png")
    assert figure.shape[0] > 12 * 150 and figure.shape[1] > 4 * 150
    assert len(list((tmp_path / "colorized").glob("*.png"))) == 12
    assert load_model(tmp_path / "model.skops").n_iter_ == 1
    # A rerun replaces what the demo wrote, and nothing it did not write.
    assert main(["demo", "-o", str(tmp_path), "--max-iter", "2"]) == 0
    assert load_model(tmp_path / "model.skops").n_iter_ == 2
    (tmp_path / "model.skops").write_text("my notes")
    assert main(["demo", "-o", str(tmp_path), "--max-iter", "1"]) == 2
    assert "model.skops: already exists and somcolor did not write it" in capsys.readouterr().err
    assert (tmp_path / "model.skops").read_text() == "my notes"


def test_colorize_with_no_model_uses_the_pretrained_one(tmp_path, test_paths, capsys):
    out = tmp_path / "out"
    assert main(["colorize", str(test_paths[0]), "-o", str(out)]) == 0
    assert "colorized 1 of 1 images" in capsys.readouterr().out
    expected = load_model("landscapes").predict([test_paths[0]])[0]
    got = read_image(out / f"{test_paths[0].stem}.png")
    assert np.abs(got - expected).max() <= 1 / 255 + 1e-6
    assert main(["colorize", "landscapes", str(test_paths[0]), "-o", str(tmp_path / "named")]) == 0


def test_console_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "somcolor", "--help"], capture_output=True, text=True, check=True
    )
    assert "fit" in result.stdout and "colorize" in result.stdout and "demo" in result.stdout


def test_colorize_on_cuda_without_a_gpu_names_the_extra(tmp_path, fitted, test_paths):
    import os

    import pytest

    from somcolor import save_model

    save_model(fitted, tmp_path / "m.skops")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}  # no simulated GPU
    run = subprocess.run(
        [sys.executable, "-m", "somcolor", "colorize", str(tmp_path / "m.skops"), str(test_paths[0]),
         "-o", str(tmp_path / "o"), "--device", "cuda"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    if run.returncode == 0:
        pytest.skip("a CUDA GPU is present here")
    assert run.returncode == 2
    assert 'needs an NVIDIA GPU with its driver' in run.stderr and 'pip install "somcolor[gpu]"' in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "o").exists()


def test_colorize_rerun_skips_existing_outputs(tmp_path, fitted, test_paths, capsys):
    from somcolor import save_model

    save_model(fitted, tmp_path / "m.skops")
    args = ["colorize", str(tmp_path / "m.skops"), *map(str, test_paths[:2]), "-o", str(tmp_path / "o")]
    assert main(args) == 0
    first = tmp_path / "o" / f"{test_paths[0].stem}.png"
    first.write_bytes(b"stale")  # a marker: skipped files are not rewritten
    (tmp_path / "o" / f"{test_paths[1].stem}.png").unlink()
    capsys.readouterr()
    assert main(args) == 0
    assert "colorized 1 of 2 images" in capsys.readouterr().out and first.read_bytes() == b"stale"
    assert main(args + ["--overwrite"]) == 0
    assert "colorized 2 of 2 images" in capsys.readouterr().out and read_image(first).shape == (150, 150, 3)


def test_fit_stream_from_the_cli(tmp_path, train_paths, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    for path in train_paths[:4]:
        (folder / path.name).write_bytes(path.read_bytes())
    code = main(["fit", str(folder), "-o", str(tmp_path / "m.skops"), *FAST, "--stream", "--chunk-images", "3"])
    assert code == 0
    assert "fitted 4 images" in capsys.readouterr().out
    assert load_model(tmp_path / "m.skops").n_iter_ >= 1


def test_fit_with_context_features_and_smoothing(tmp_path, train_paths, test_paths, capsys):
    model_path = tmp_path / "context.skops"
    args = ["--scales", "2", "4", "--position", "--local-radii", "8", "--global-features", "--smooth-radius", "3"]
    assert main(["fit", *map(str, train_paths[:3]), "-o", str(model_path), *FAST, *args]) == 0
    model = load_model(model_path)  # every context parameter survives the model file
    assert (model.scales, model.position, model.local_radii, model.global_features) == ((2, 4), True, (8,), True)
    assert model.smooth_radius == 3
    assert main(["colorize", str(model_path), str(test_paths[0]), "-o", str(tmp_path / "out")]) == 0
    assert read_image(tmp_path / "out" / f"{test_paths[0].stem}.png").shape == (150, 150, 3)
    assert main(["fit", str(train_paths[0]), "-o", str(tmp_path / "bad.skops"), *FAST, "--scales", "1"]) == 2
    assert "--scales must be an int in [2, 64]" in capsys.readouterr().err


# -- manners (issue 21) -------------------------------------------------------------------------------


def test_help_and_version_import_nothing_heavy():
    code = (
        "import sys, contextlib, io\nfrom somcolor.cli import main\n"
        "for args in (['--help'], ['--version']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "        try:\n            main(args)\n        except SystemExit:\n            pass\n"
        "    print(out.getvalue().splitlines()[0])\n"
        "print(sorted(m for m in ('numba', 'sklearn', 'skimage', 'scipy', 'PIL') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    lines = done.stdout.splitlines()
    from somcolor import __version__

    assert lines[0].startswith("usage: somcolor") and lines[1] == f"somcolor {__version__}"
    assert lines[2] == "[]", "somcolor --help imported heavy modules"


def test_every_option_has_help_and_the_usage_reads_right(capsys):
    import argparse

    from somcolor.cli import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name, sub in commands.choices.items():
        for action in sub._actions:
            assert action.help, f"somcolor {name} {action.option_strings or action.dest} has no help"
    for args, usage in ((["colorize", "--help"], "[MODEL] PHOTO [PHOTO ...] -o OUT"),
                        (["video", "--help"], "[MODEL] INPUT OUTPUT"),
                        (["fit", "--help"], "(default: 50,50)")):
        try:
            main(args)
        except SystemExit:
            pass
        assert usage in capsys.readouterr().out


def test_o_names_one_png_for_one_photo(tmp_path, fitted, test_paths, capsys):
    from somcolor import save_model

    save_model(fitted, tmp_path / "m.skops")
    out = tmp_path / "result.png"
    assert main(["colorize", str(tmp_path / "m.skops"), str(test_paths[0]), "-o", str(out)]) == 0
    assert out.is_file() and Image.open(out).size == (150, 150)
    assert main(["colorize", str(tmp_path / "m.skops"), *map(str, test_paths[:2]), "-o", str(tmp_path / "two.png")]) == 2
    assert "two.png names one file, but 2 photos were given; give a folder" in capsys.readouterr().err
    assert main(["colorize", str(tmp_path / "m.skops"), str(test_paths[0]), "-o", str(tmp_path / "x.jpg")]) == 2
    assert "somcolor writes PNG files" in capsys.readouterr().err
    assert main(["colorize", str(tmp_path / "m.skops"), str(test_paths[0]), "-o", f"{tmp_path / 'x.jpg'}/"]) == 0
    assert (tmp_path / "x.jpg" / f"{test_paths[0].stem}.png").is_file()


def test_a_model_is_recognised_by_its_content(tmp_path, train_paths, test_paths, fitted):
    from somcolor import save_model

    save_model(fitted, tmp_path / "my_model")  # no .skops
    assert main(["colorize", str(tmp_path / "my_model"), str(test_paths[0]), "-o", str(tmp_path / "out")]) == 0
    (expected,) = fitted.predict([test_paths[0]])
    got = np.asarray(Image.open(tmp_path / "out" / f"{test_paths[0].stem}.png"))
    assert np.abs(got.astype(int) - np.round(expected * 255)).max() <= 1
    assert not (tmp_path / "out" / "my_model.png").exists()


def test_the_first_run_says_the_kernels_compile(tmp_path, test_paths, capsys, monkeypatch):
    from somcolor.inference._kernels import fused_colorize

    monkeypatch.setattr(fused_colorize._cache._cache_file, "_index_path", str(tmp_path / "absent.nbi"))
    assert main(["colorize", str(test_paths[0]), "-o", str(tmp_path / "out")]) == 0
    assert "compiling the colorizing kernels (once" in capsys.readouterr().err


def test_the_video_progress_knows_its_total(tmp_path, photo):
    from somcolor.video import open_frames, write_frames

    write_frames([photo[:32, :48]] * 7, tmp_path / "c.mp4", fps=5)
    frames, _ = open_frames(tmp_path / "c.mp4")
    assert frames.announced == 7 and len(list(frames)) == 7 and frames.missing == 0


def test_fit_from_the_bundled_model(tmp_path, train_paths, test_paths, capsys):
    from somcolor.estimator import FINE_TUNING

    out = tmp_path / "mine.skops"
    assert main(["fit", *map(str, train_paths[:3]), "-o", str(out), "--from", "landscapes", "--max-iter", "2"]) == 0
    assert "fine-tuning landscapes on 3 images" in capsys.readouterr().err
    tuned = load_model(out)
    assert tuned.n_iter_ <= 2 and tuned.warm_start and tuned.working_side == 64  # the bundled model's scale
    # The fine-tuning settings apply, its temperature too.
    assert tuned.learning_rate_init == 3e-4 and tuned.temperature == tuned.temperature_ == FINE_TUNING["temperature"]
    assert main(["colorize", str(out), str(test_paths[0]), "-o", str(tmp_path / "c")]) == 0
    # An explicit --temperature wins over the fine-tuning setting.
    fixed = tmp_path / "fixed.skops"
    assert main(["fit", str(train_paths[0]), "-o", str(fixed), "--from", "landscapes", "--max-iter", "1",
                 "--temperature", "0.38"]) == 0
    assert load_model(fixed).temperature_ == 0.38
    assert main(["fit", str(train_paths[0]), "-o", str(tmp_path / "x.skops"), "--from", "nowhere.skops"]) == 2
    assert "nowhere.skops: no such model file" in capsys.readouterr().err
    # The help says what the fine-tuned model decodes at.
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    assert f"decodes at temperature {FINE_TUNING['temperature']} unless" in " ".join(capsys.readouterr().out.split())


def test_fit_with_temperature_auto_and_a_bad_temperature(tmp_path, train_paths, capsys):
    from somcolor.network.decode import TEMPERATURES

    out = tmp_path / "auto.skops"
    assert main(["fit", *map(str, train_paths[:2]), "-o", str(out), "--max-iter", "1", "--temperature", "auto"]) == 0
    assert load_model(out).temperature_ in TEMPERATURES
    with pytest.raises(SystemExit) as exit_:
        main(["fit", str(train_paths[0]), "-o", str(tmp_path / "x.skops"), "--temperature", "hot"])
    assert exit_.value.code == 2 and "'hot' is neither a number nor 'auto'" in capsys.readouterr().err


def test_fit_never_writes_over_a_file_unasked_nor_over_the_model_it_starts_from(tmp_path, train_paths, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    assert main(["fit", str(train_paths[0]), "-o", str(notes), "--max-iter", "1"]) == 2
    assert f"{notes}: already exists (--overwrite replaces it)" in capsys.readouterr().err
    assert notes.read_text() == "mine"
    model = tmp_path / "m.skops"
    assert main(["fit", str(train_paths[0]), "-o", str(model), "--max-iter", "1"]) == 0
    before = model.read_bytes()
    for flags in ([], ["--overwrite"]):
        assert main(["fit", str(train_paths[1]), "-o", str(model), "--from", str(model), "--max-iter", "1", *flags]) == 2
        assert "is one of the inputs: refusing to write over it" in capsys.readouterr().err
    assert model.read_bytes() == before
    assert main(["fit", str(train_paths[1]), "-o", str(model), "--max-iter", "1", "--overwrite"]) == 0
    assert model.read_bytes() != before and load_model(model).n_iter_ == 1
