"""somcolor app in a real browser (issue 40): headless Chromium driven by Playwright, as a person would.

The app runs as the command line starts it; the page is opened, clicked, undone, saved, reloaded and fed a
bad file. Where the browser or Playwright is missing the tests skip, except under CI (``CI`` set), where
they must run. ``SOMCOLOR_SCREENSHOTS=FOLDER`` keeps screenshots of the page there (the docs' are made so).
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the test extra installs it
    sync_playwright = None

if os.environ.get("CI"):
    assert CHROMIUM and sync_playwright, "CI must run the browser tests: install Debian's chromium and playwright"
pytestmark = pytest.mark.skipif(not (CHROMIUM and sync_playwright),
                                reason="needs Debian's chromium and Playwright for Python (the test extra)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = os.environ.get("SOMCOLOR_SCREENSHOTS")


def until(page, expression, timeout=60):
    """Wait until a JavaScript expression is true in the page (polled: the page's policy forbids eval)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if page.evaluate(expression):
            return
        time.sleep(0.03)
    raise TimeoutError(f"still false after {timeout} s: {expression}")


def changes_done(page, count):
    until(page, f"window.somcolorTimings.length >= {count} && document.body.getAttribute('aria-busy') !== 'true'")


def pixels_near(page, x, y, half=3):
    """Mean RGB of the colors canvas around canvas pixel (x, y)."""
    data = page.evaluate(f"""Array.from(document.getElementById('colors').getContext('2d')
        .getImageData({x - half}, {y - half}, {2 * half + 1}, {2 * half + 1}).data)""")
    return np.asarray(data, float).reshape(-1, 4)[:, :3].mean(axis=0)


def click_at(page, x, y):
    """Click the photo at canvas pixel (x, y) of the colors canvas, as a person clicks it."""
    box = page.locator("#overlay").bounding_box()
    width = page.evaluate("document.getElementById('colors').width")
    scale = box["width"] / width
    page.mouse.click(box["x"] + (x + 0.5) * scale, box["y"] + (y + 0.5) * scale)


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name))


PEAKS = Path(__file__).parent / "data" / "peaks.jpg"  # a real photo, 640 x 427 (tests/data/README.md)


@pytest.fixture(scope="module")
def app(tmp_path_factory, start_app):
    """`somcolor app` serving a folder with a real photo and that photo enlarged to 1 megapixel (for the time
    a click takes at that size), saving into another."""
    root = tmp_path_factory.mktemp("app")
    folder, out = root / "photos", root / "out"
    folder.mkdir()
    shutil.copy(PEAKS, folder / "peaks.jpg")
    Image.open(PEAKS).resize((1254, 836), Image.LANCZOS).save(folder / "peaks-1mp.jpg", quality=95)
    child, _, url = start_app([folder, "--port", "0", "-o", out])
    yield {"url": url, "folder": folder, "out": out, "root": root}
    child.terminate()
    child.communicate(timeout=60)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def test_a_person_colorizes_a_photo_click_by_click(app, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(app["url"])
    until(page, "document.body.dataset.started === '1'")
    page.click("#folder img[data-name='peaks.jpg']")
    until(page, "Number(document.getElementById('colors').dataset.version || 0) >= 1")
    shot(page, "app-opened.png")
    width = page.evaluate("document.getElementById('colors').width")
    height = page.evaluate("document.getElementById('colors').height")

    # A first hint on the sky, its color then taken from the suggestions at that pixel (the likeliest).
    a = (int(width * 0.7), int(height * 0.15))
    before_a = pixels_near(page, *a)
    click_at(page, *a)
    changes_done(page, 1)
    page.wait_for_selector("#suggestions .swatch")
    swatch = page.locator("#suggestions .swatch").nth(0)
    suggested = np.array([int(v) for v in swatch.get_attribute("data-rgb").split(",")], float)
    swatch.click()
    changes_done(page, 2)
    after_a = pixels_near(page, *a)
    assert np.linalg.norm(after_a - suggested) < np.linalg.norm(before_a - suggested) or np.linalg.norm(
        after_a - suggested) < 12

    # A second hint on the dry grass, its color from the picker.
    b = (int(width * 0.3), int(height * 0.85))
    before_b = pixels_near(page, *b)
    click_at(page, *b)
    changes_done(page, 3)
    page.fill("#picker", "#c8a064")
    changes_done(page, 4)
    picked = np.array([200, 160, 100], float)
    after_b = pixels_near(page, *b)
    assert np.linalg.norm(after_b - picked) < np.linalg.norm(before_b - picked) - 20
    assert page.locator("#hints li").count() == 2
    shot(page, "app-hints.png")

    # Undo takes the picked color back, redo gives it again.
    page.keyboard.press("Control+z")
    changes_done(page, 5)
    undone = pixels_near(page, *b)
    assert np.linalg.norm(undone - picked) > np.linalg.norm(after_b - picked) + 20
    page.keyboard.press("Control+Shift+z")
    changes_done(page, 6)
    assert np.linalg.norm(pixels_near(page, *b) - after_b) < 3

    # Saved at full size with its hints: the command line makes the same PNG from them.
    page.click("#save")
    until(page, "document.getElementById('saved').textContent.includes('saved')")
    saved, hints = app["out"] / "peaks.png", app["out"] / "hints" / "peaks.png"
    assert Image.open(saved).size == (640, 427)
    again = tmp_path / "again.png"
    done = subprocess.run([sys.executable, "-m", "somcolor", "colorize", str(app["folder"] / "peaks.jpg"), "--hints",
                           str(hints), "-o", str(again)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    np.testing.assert_array_equal(np.asarray(Image.open(again)), np.asarray(Image.open(saved)))

    # A text file named like a photo: the command line's message, in the page.
    bad = tmp_path / "holiday.jpg"
    bad.write_text("not a photo")
    page.set_input_files("#file", str(bad))
    until(page, "document.getElementById('message').textContent.includes('holiday.jpg')")
    assert page.inner_text("#message") == "holiday.jpg: not an image (unrecognised file format)"
    shot(page, "app-refused.png")

    # The work survives a reload.
    page.reload()
    until(page, "document.body.dataset.started === '1' && document.querySelectorAll('#hints li').length === 2")
    until(page, "Number(document.getElementById('colors').dataset.version || 0) >= 1")
    time.sleep(0.3)
    assert np.linalg.norm(pixels_near(page, *b) - after_b) < 6
    assert not errors, errors
    context.close()


def test_click_to_colors_on_screen_at_one_megapixel(app, browser):
    """Ten clicks on a 1-megapixel photo, each timed in the page by the Performance API from the click to its
    colors drawn: printed, and kept beside the screenshots for the docs. A ceiling well above the 150 ms
    aimed at catches a page that stalls; the figure itself is read, not asserted (the machines are shared)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(app["url"] + "?photo=peaks-1mp.jpg")
    until(page, "Number(document.getElementById('colors').dataset.version || 0) >= 1")
    width = page.evaluate("document.getElementById('colors').width")
    height = page.evaluate("document.getElementById('colors').height")
    rng = np.random.default_rng(0)
    for i in range(10):
        click_at(page, int(rng.integers(5, width - 5)), int(rng.integers(5, height - 5)))
        changes_done(page, i + 1)
    timings = page.evaluate("window.somcolorTimings")
    print(f"\nclick to colors on screen, 1254 x 836 photo (1.05 MP): median {np.median(timings):.0f} ms of "
          f"{len(timings)} ({', '.join(f'{t:.0f}' for t in timings)})")
    if SHOTS:
        (Path(SHOTS) / "timings.json").write_text(json.dumps({"photo": "1254 x 836", "ms": timings}, indent=1))
    assert np.median(timings) < 1500
    context.close()


def test_two_tabs_do_not_see_each_others_hints(app, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    first, second = context.new_page(), context.new_page()
    for page in (first, second):
        page.goto(app["url"] + "?photo=peaks.jpg")
        until(page, "Number(document.getElementById('colors').dataset.version || 0) >= 1")
    width = first.evaluate("document.getElementById('colors').width")
    click_at(first, width // 2, width // 2)
    changes_done(first, 1)
    second.reload()
    until(second, "Number(document.getElementById('colors').dataset.version || 0) >= 1")
    assert first.locator("#hints li").count() == 1 and second.locator("#hints li").count() == 0
    context.close()
