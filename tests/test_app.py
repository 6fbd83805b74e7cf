"""somcolor app, HTTP side (issue 40): Starlette's test client against the app's routes and its refusals."""

import io
import signal
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

starlette = pytest.importorskip("starlette", reason="the app extra (Starlette) is not installed")
from starlette.testclient import TestClient  # noqa: E402

from somcolor import load_model  # noqa: E402
from somcolor.app import create_app  # noqa: E402
from somcolor.hints import read_hints  # noqa: E402
from somcolor.io.writing import to_uint8  # noqa: E402

TAB, OTHER_TAB = "tab0123456789", "tab9876543210"


@pytest.fixture(scope="module")
def model():
    return load_model("landscapes")


@pytest.fixture
def served(tmp_path, test_paths):
    folder = tmp_path / "photos"
    folder.mkdir()
    for path in test_paths:
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


@pytest.fixture
def client(model, served, tmp_path):
    app = create_app(model, served, tmp_path / "out", max_photos=2)
    with TestClient(app) as test_client:
        test_client.headers["X-Somcolor-Client"] = TAB
        yield test_client


def open_photo(client, name):
    response = client.post("/api/open", json={"name": name})
    assert response.status_code == 200, response.text
    return response.json()["photo"]


def point(hint_id, row, col, color=(40, 160, 60)):
    return {"id": hint_id, "kind": "point", "points": [[row, col]], "color": list(color), "radius": 2}


def test_the_page_and_its_files(client):
    page = client.get("/")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/static/app.js"' in page.text
    assert client.get("/static/app.js").status_code == 200
    for name in ("server.py", "..%2Fserver.py", "index.html%00.js"):
        assert client.get(f"/static/{name}").status_code == 404


def test_photos_of_the_folder_only_by_name(client, served, tmp_path, test_paths):
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(test_paths[0].read_bytes())
    (served / "link.jpg").symlink_to(outside)  # a link that leads out of the folder
    listed = client.get("/api/folder").json()["photos"]
    assert listed == sorted(p.name for p in test_paths) and "link.jpg" not in listed
    for name in ("../secret.jpg", str(outside), "link.jpg", "photos/" + test_paths[0].name, "", None, 7):
        response = client.post("/api/open", json={"name": name})
        assert response.status_code == 404 and "no photo" in response.json()["error"]
    assert client.get("/api/folder/thumbnail", params={"name": "../secret.jpg"}).status_code == 404
    assert client.get("/api/folder/thumbnail", params={"name": test_paths[0].name}).headers["content-type"] == "image/jpeg"


def test_uploads_are_bounded_and_refused_as_files_are(client, test_paths):
    response = client.post("/api/upload", content=b"not an image", headers={"X-Filename": "photo.jpg"})
    assert response.status_code == 400 and response.json()["error"] == "photo.jpg: not an image (unrecognised file format)"
    big = client.post("/api/upload", content=b"x", headers={"X-Filename": "a.jpg", "Content-Length": str(2**40)})
    assert big.status_code == 413 and "larger than the limit" in big.json()["error"]
    # A PNG of 60 bytes that declares 30000 x 30000 pixels: refused from its header.
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)) + chunk(
        b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    bomb = client.post("/api/upload", content=bomb, headers={"X-Filename": "bomb.png"})
    assert bomb.status_code == 400 and "bomb.png: image of 30000 x 30000 pixels" in bomb.json()["error"]
    good = client.post("/api/upload", content=test_paths[0].read_bytes(), headers={"X-Filename": "../../mine.jpg"})
    assert good.status_code == 200 and good.json()["name"] == "mine.jpg"


@pytest.mark.parametrize("headers", [{"Host": "evil.example:8765"}, {"Origin": "http://evil.example"},
                                     {"Sec-Fetch-Site": "cross-site"}])
def test_foreign_hosts_and_origins_are_refused(client, headers, test_paths):
    response = client.post("/api/open", json={"name": test_paths[0].name}, headers=headers)
    assert response.status_code == 403 and response.json()["error"].startswith("refused")
    assert client.get("/", headers=headers).status_code == 403
    same = client.post("/api/open", json={"name": test_paths[0].name}, headers={"Origin": "http://testserver"})
    assert same.status_code == 200


def test_a_server_on_a_port_answers_to_its_own_names_only(model, served):
    app = create_app(model, served, hosts=("127.0.0.1",), port=8765)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"Host": "localhost:8765"}).status_code == 200
        assert client.get("/", headers={"Host": "127.0.0.1:9999"}).status_code == 403
        assert client.get("/", headers={"Host": "attacker.example"}).status_code == 403


@pytest.mark.parametrize("op, status, words", [
    ({"op": "add", "hint": point("a b", 5, 5)}, 400, "a hint id is 1-40 letters"),
    ({"op": "add", "hint": {**point("a", 5, 5), "kind": "blob"}}, 400, "kind is 'point' or 'stroke'"),
    ({"op": "add", "hint": point("a", 150, 5)}, 400, "outside the photo's 150 x 150 pixels"),
    ({"op": "add", "hint": point("a", 5, 5, color=(300, 0, 0))}, 400, "color values must lie in 0-255"),
    ({"op": "add", "hint": {**point("a", 5, 5), "points": [[1, "x"]]}}, 400, "a point is [row, col]"),
    ({"op": "add", "hint": {**point("a", 5, 5), "radius": 500}}, 400, "radius is a whole number"),
    ({"op": "add", "hint": point("first", 5, 5)}, 409, "already on this photo"),
    ({"op": "move", "id": "first", "points": [[999, 0]]}, 400, "outside the photo"),
    ({"op": "remove", "id": "nobody"}, 404, "no hint 'nobody'"),
    ({"op": "paint"}, 400, "unknown change 'paint'"),
    ({"op": "set", "hints": "all"}, 400, "'set' gives a list"),
    ([1, 2], 400, "a change is an object"),
])
def test_malformed_hints_are_refused_and_change_nothing(client, test_paths, op, status, words):
    photo = open_photo(client, test_paths[0].name)
    assert client.post(f"/api/photo/{photo}/hints", json={"op": "add", "hint": point("first", 20, 20)}).status_code == 200
    before = client.get(f"/api/photo/{photo}/colors").content
    response = client.post(f"/api/photo/{photo}/hints", json=op)
    assert response.status_code == status and words in response.json()["error"]
    assert client.get(f"/api/photo/{photo}/colors").content == before
    assert client.post(f"/api/photo/{photo}/hints", content=b"{not json").status_code == 400


def test_open_photos_are_bounded_and_each_tab_has_its_own(client, test_paths):
    first = open_photo(client, test_paths[0].name)
    second = open_photo(client, test_paths[1].name)
    third = open_photo(client, test_paths[2].name)  # max_photos=2: the least recently used goes
    gone = client.get(f"/api/photo/{first}/colors")
    assert gone.status_code == 410 and "no longer open" in gone.json()["error"]
    assert client.get(f"/api/photo/{second}/colors").status_code == 200
    assert client.get(f"/api/photo/{third}/colors").status_code == 200
    other = client.get(f"/api/photo/{third}/colors", headers={"X-Somcolor-Client": OTHER_TAB})
    assert other.status_code == 410  # another tab never sees this tab's photo
    assert client.get("/api/photos", headers={"X-Somcolor-Client": OTHER_TAB}).json()["photos"] == []
    assert client.get(f"/api/photo/{third}/colors", headers={"X-Somcolor-Client": "x"}).status_code == 400


def test_hints_move_the_colors_and_are_saved_as_the_command_line_reproduces(client, test_paths, tmp_path, model,
                                                                             served):
    name = test_paths[0].name
    photo = open_photo(client, name)
    automatic = np.asarray(Image.open(io.BytesIO(client.get(f"/api/photo/{photo}/colors").content)))
    changes = [{"op": "add", "hint": point("g", 120, 40, (200, 40, 160))},
               {"op": "add", "hint": {"id": "s", "kind": "stroke", "points": [[20, 10], [20, 100]],
                                      "color": [30, 90, 200], "radius": 1}},
               {"op": "recolor", "id": "g", "color": [220, 60, 20]}, {"op": "move", "id": "g", "points": [[110, 45]]}]
    for change in changes:
        response = client.post(f"/api/photo/{photo}/hints", json=change, params={"width": 100})
        assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).size == (100, 100)
    hinted = np.asarray(Image.open(io.BytesIO(client.get(f"/api/photo/{photo}/colors").content)))
    assert np.abs(hinted.astype(int) - automatic).mean() > 2
    suggestions = client.get(f"/api/photo/{photo}/suggest", params={"row": 10, "col": 10, "k": 3}).json()["suggestions"]
    assert len(suggestions) == 3 and suggestions[0]["probability"] >= suggestions[1]["probability"]
    saved = client.post(f"/api/photo/{photo}/save", json={}).json()
    out = tmp_path / "out"
    assert saved["colorized"] == str(out / f"{test_paths[0].stem}.png") and saved["hints"] == str(out / "hints" / f"{test_paths[0].stem}.png")
    hints = read_hints(saved["hints"], (150, 150), "hints")
    expected = to_uint8(model.predict([served / name], hints=[hints])[0])
    np.testing.assert_array_equal(np.asarray(Image.open(saved["colorized"])), expected)
    from somcolor.cli import main

    assert main(["colorize", str(served / name), "--hints", saved["hints"], "-o", str(tmp_path / "cli.png")]) == 0
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "cli.png")), expected)
    download = client.get(f"/api/photo/{photo}/download/colorized")
    assert download.headers["content-disposition"] == f'attachment; filename="{test_paths[0].stem}.png"'
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(download.content))), expected)


def test_saves_never_replace_a_users_file_or_an_input(model, served, test_paths, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{test_paths[0].stem}.png").write_text("mine")
    with TestClient(create_app(model, served, out)) as client:
        client.headers["X-Somcolor-Client"] = TAB
        photo = open_photo(client, test_paths[0].name)
        refused = client.post(f"/api/photo/{photo}/save", json={})
        assert refused.status_code == 409 and "somcolor did not write it" in refused.json()["error"]
        assert (out / f"{test_paths[0].stem}.png").read_text() == "mine"
    png = served / "own.png"
    Image.open(test_paths[1]).save(png)
    with TestClient(create_app(model, served, served)) as client:  # saving into the served folder itself
        client.headers["X-Somcolor-Client"] = TAB
        photo = open_photo(client, "own.png")
        refused = client.post(f"/api/photo/{photo}/save", json={})
        assert refused.status_code == 409 and "already exists and somcolor did not write it" in refused.json()["error"]
    with TestClient(create_app(model, served)) as client:
        client.headers["X-Somcolor-Client"] = TAB
        photo = open_photo(client, test_paths[0].name)
        assert "without an output folder" in client.post(f"/api/photo/{photo}/save", json={}).json()["error"]


def test_temperature_and_reference(client, test_paths):
    photo = open_photo(client, test_paths[0].name)
    automatic = client.get(f"/api/photo/{photo}/colors").content
    assert client.post(f"/api/photo/{photo}/temperature", json={"temperature": 5}).status_code == 400
    bolder = client.post(f"/api/photo/{photo}/temperature", json={"temperature": 0.1})
    assert bolder.status_code == 200 and bolder.content != automatic
    ref = client.post(f"/api/photo/{photo}/reference", content=test_paths[2].read_bytes(), headers={"X-Filename": "r.jpg"})
    assert ref.status_code == 200 and ref.content != bolder.content
    gray = io.BytesIO()
    Image.open(test_paths[2]).convert("L").save(gray, format="PNG")
    refused = client.post(f"/api/photo/{photo}/reference", content=gray.getvalue(), headers={"X-Filename": "g.png"})
    assert refused.status_code == 400 and "g.png: a reference photo must be in color" in refused.json()["error"]


def test_the_command_listens_on_loopback_warns_otherwise_and_stops_with_one_line(served, tmp_path, start_app):
    child, line, _ = start_app([served, "--port", "0"], tmp_path)
    try:
        assert line.startswith("somcolor app: http://127.0.0.1:") and "Ctrl-C stops it" in line
    finally:
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    assert child.returncode == 130 and err.strip().splitlines() == ["somcolor app: stopped"]
    child, line, _ = start_app([served, "--port", "0", "--host", "0.0.0.0"], tmp_path)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert "warning: listening on 0.0.0.0: anyone who can reach port" in err
