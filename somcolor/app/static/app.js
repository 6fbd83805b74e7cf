// somcolor app: the page. Plain JavaScript, no build step; everything it loads comes from this server.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  client: clientId(),
  photo: null, // {photo, name, width, height, source}
  hints: [], // [{id, kind, points: [[row, col], ...], color: [r, g, b], radius}]
  undo: [],
  redo: [],
  selected: null,
  color: [74, 140, 60],
  pending: 0,
  queue: Promise.resolve(),
  served: {}, // what /api/folder says: photos, output folder, temperature
};
// Milliseconds from each change (a click, a drag, a pick) to its colors drawn: read by the browser tests.
window.somcolorTimings = [];

function clientId() {
  let id = sessionStorage.getItem("somcolor.client");
  if (!id) {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    sessionStorage.setItem("somcolor.client", id);
  }
  return id;
}

function say(text, ok = false) {
  const message = $("message");
  message.textContent = text || "";
  message.className = ok ? "ok" : "";
}

function busy(delta) {
  state.pending += delta;
  $("busy").hidden = state.pending === 0;
  document.body.setAttribute("aria-busy", state.pending > 0 ? "true" : "false");
}

async function api(path, options = {}) {
  busy(1);
  try {
    const headers = Object.assign({"X-Somcolor-Client": state.client}, options.headers || {});
    const response = await fetch(path, Object.assign({}, options, {headers}));
    if (!response.ok) {
      let text = response.statusText;
      try { text = (await response.json()).error || text; } catch (e) { /* not JSON */ }
      const error = new Error(text);
      error.status = response.status;
      throw error;
    }
    return response;
  } finally {
    busy(-1);
  }
}

const json = (body) => ({method: "POST", body: JSON.stringify(body), headers: {"Content-Type": "application/json"}});
const rgbHex = (rgb) => "#" + rgb.map((v) => v.toString(16).padStart(2, "0")).join("");
const hexRgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

// -- opening photos -------------------------------------------------------------------------------------

async function loadFolder() {
  state.served = await (await api("/api/folder")).json();
  $("save").hidden = !state.served.output;
  const strip = $("folder");
  strip.textContent = "";
  for (const name of state.served.photos) {
    const img = document.createElement("img");
    img.alt = name;
    img.title = name;
    img.dataset.name = name;
    img.src = "/api/folder/thumbnail?name=" + encodeURIComponent(name);
    img.addEventListener("click", () => run(() => openFolderPhoto(name)));
    strip.appendChild(img);
  }
}

async function openFolderPhoto(name) {
  const info = await (await api("/api/open", json({name}))).json();
  await showPhoto(info, stored(info).hints || []);
}

async function upload(file) {
  const info = await (await api("/api/upload", {method: "POST", body: file, headers: {"X-Filename": file.name}})).json();
  await showPhoto(info, stored(info).hints || []);
}

function workKey(info) {
  return `somcolor.work.${info.source}:${info.name}:${info.width}x${info.height}`;
}

function stored(info) {
  try { return JSON.parse(sessionStorage.getItem(workKey(info)) || "{}"); } catch (e) { return {}; }
}

function keep() {
  if (!state.photo) return;
  sessionStorage.setItem(workKey(state.photo), JSON.stringify({hints: state.hints}));
  sessionStorage.setItem("somcolor.open", JSON.stringify(state.photo));
}

async function showPhoto(info, hints) {
  state.photo = info;
  state.hints = [];
  state.undo = [];
  state.redo = [];
  state.selected = null;
  for (const img of $("folder").children) img.classList.toggle("open", img.dataset.name === info.name);
  const available = Math.max(200, Math.floor(($("views").clientWidth - 12) / 2));
  const width = Math.min(info.width, available);
  const height = Math.max(1, Math.round(width * info.height / info.width));
  for (const id of ["gray", "colors"]) {
    $(id).width = width;
    $(id).height = height;
  }
  // The markers at the size the overlay is shown at, not the preview's: crisp on a small photo shown large.
  const shown = $("colors").getBoundingClientRect();
  $("overlay").width = Math.max(1, Math.round(shown.width * devicePixelRatio));
  $("overlay").height = Math.max(1, Math.round(shown.height * devicePixelRatio));
  $("download").href = `/api/photo/${info.photo}/download/colorized?client=${state.client}`;
  $("downloadhints").href = `/api/photo/${info.photo}/download/hints?client=${state.client}`;
  $("temperature").value = state.served.temperature || 0.45;
  await draw("gray", await api(`/api/photo/${info.photo}/gray?width=${width}`));
  if (hints.length) {
    state.hints = hints;
    await change({op: "set", hints}, performance.now());
  } else {
    await draw("colors", await api(`/api/photo/${info.photo}/colors?width=${width}`));
  }
  keep();
  renderHints();
  say(`${info.name}: ${info.width} x ${info.height}`, true);
}

async function draw(id, response) {
  const bitmap = await createImageBitmap(await response.blob());
  const canvas = $(id);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  canvas.dataset.version = String(Number(canvas.dataset.version || 0) + 1);
}

// -- hints ----------------------------------------------------------------------------------------------

let counter = 0;
const newId = () => `h${Date.now().toString(36)}${(counter++).toString(36)}`;
const radius = () => Math.max(2, Math.round(Math.min(state.photo.width, state.photo.height) / 256));
const snapshot = () => JSON.parse(JSON.stringify(state.hints));

function remember() {
  state.undo.push(snapshot());
  state.redo = [];
}

// Changes go to the server one after another; each answer is the colors, drawn as it comes.
function change(op, started) {
  const photo = state.photo;
  state.queue = state.queue.then(async () => {
    let response;
    try {
      response = await api(`/api/photo/${photo.photo}/hints?width=${$("colors").width}`, json(op));
    } catch (error) {
      if (error.status !== 410) throw error;
      // The app dropped this photo (it keeps the last few): open it again and give every hint again.
      const info = await reopen(photo);
      response = await api(`/api/photo/${info.photo}/hints?width=${$("colors").width}`,
                           json({op: "set", hints: state.hints}));
    }
    await draw("colors", response);
    window.somcolorTimings.push(performance.now() - started);
    keep();
  }).catch((error) => say(error.message));
  renderHints();
  return state.queue;
}

async function reopen(photo) {
  if (photo.source !== "folder") throw new Error(`${photo.name}: the app dropped this photo; open it again`);
  const info = await (await api("/api/open", json({name: photo.name}))).json();
  state.photo = info;
  keep();
  return info;
}

function addHint(kind, points, started) {
  remember();
  const hint = {id: newId(), kind, points, color: state.color.slice(), radius: radius()};
  state.hints.push(hint);
  state.selected = hint.id;
  change({op: "add", hint}, started);
  suggest(points[0]);
}

function recolor(rgb, started) {
  const hint = state.hints.find((h) => h.id === state.selected);
  if (!hint) return;
  remember();
  hint.color = rgb.slice();
  change({op: "recolor", id: hint.id, color: hint.color}, started);
}

function moveHint(hint, dRow, dCol, started) {
  remember();
  hint.points = hint.points.map(([r, c]) => [clamp(r + dRow, state.photo.height), clamp(c + dCol, state.photo.width)]);
  change({op: "move", id: hint.id, points: hint.points}, started);
}

const clamp = (v, n) => Math.max(0, Math.min(n - 1, Math.round(v)));

function removeHint(id, started) {
  remember();
  state.hints = state.hints.filter((h) => h.id !== id);
  if (state.selected === id) state.selected = null;
  change({op: "remove", id}, started);
}

function undo(started) {
  if (!state.undo.length) return;
  state.redo.push(snapshot());
  state.hints = state.undo.pop();
  change({op: "set", hints: state.hints}, started);
}

function redo(started) {
  if (!state.redo.length) return;
  state.undo.push(snapshot());
  state.hints = state.redo.pop();
  change({op: "set", hints: state.hints}, started);
}

async function suggest([row, col]) {
  const box = $("suggestions");
  try {
    const {suggestions} = await (await api(`/api/photo/${state.photo.photo}/suggest?row=${row}&col=${col}&k=5`)).json();
    box.textContent = "";
    for (const s of suggestions) {
      const button = document.createElement("button");
      button.className = "swatch";
      button.style.background = rgbHex(s.rgb);
      button.title = `${rgbHex(s.rgb)}: ${(100 * s.probability).toFixed(0)}%`;
      button.dataset.rgb = s.rgb.join(",");
      button.addEventListener("click", () => {
        setColor(s.rgb);
        recolor(s.rgb, performance.now());
      });
      box.appendChild(button);
    }
  } catch (error) {
    say(error.message);
  }
}

function setColor(rgb) {
  state.color = rgb.slice();
  $("picker").value = rgbHex(rgb);
}

function renderHints() {
  const list = $("hints");
  list.textContent = "";
  for (const hint of state.hints) {
    const item = document.createElement("li");
    item.dataset.id = hint.id;
    item.classList.toggle("selected", hint.id === state.selected);
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.style.background = rgbHex(hint.color);
    const text = document.createElement("span");
    const [r, c] = hint.points[0];
    text.textContent = hint.kind === "point" ? `point at (${r}, ${c})` : `stroke of ${hint.points.length} points`;
    const remove = document.createElement("button");
    remove.textContent = "×";
    remove.title = "delete this hint";
    remove.addEventListener("click", (event) => {
      event.stopPropagation();
      removeHint(hint.id, performance.now());
    });
    item.append(chip, text, remove);
    item.addEventListener("click", () => {
      state.selected = hint.id;
      setColor(hint.color);
      renderHints();
      suggest(hint.points[0]);
    });
    list.appendChild(item);
  }
  $("count").textContent = state.hints.length ? `(${state.hints.length})` : "";
  drawOverlay();
}

function drawOverlay(extra) {
  const canvas = $("overlay");
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  if (!state.photo) return;
  const sx = canvas.width / state.photo.width;
  const sy = canvas.height / state.photo.height;
  const paths = state.hints.map((h) => [h, h.points]).concat(extra ? [[{color: state.color}, extra]] : []);
  for (const [hint, points] of paths) {
    g.strokeStyle = rgbHex(hint.color);
    g.fillStyle = rgbHex(hint.color);
    g.lineWidth = 3;
    if (points.length === 1) {
      const [r, c] = points[0];
      g.beginPath();
      g.arc(c * sx, r * sy, 5, 0, 2 * Math.PI);
      g.fill();
      g.lineWidth = hint.id && hint.id === state.selected ? 3 : 1.5;
      g.strokeStyle = "#fff";
      g.stroke();
    } else {
      g.beginPath();
      points.forEach(([r, c], i) => (i ? g.lineTo(c * sx, r * sy) : g.moveTo(c * sx, r * sy)));
      g.stroke();
    }
  }
}

// -- the pointer ----------------------------------------------------------------------------------------

function pixelAt(event) {
  const rect = $("overlay").getBoundingClientRect();
  return [clamp((event.clientY - rect.top) / rect.height * state.photo.height, state.photo.height),
          clamp((event.clientX - rect.left) / rect.width * state.photo.width, state.photo.width)];
}

function hintNear(event) {
  const rect = $("overlay").getBoundingClientRect();
  for (const hint of state.hints.slice().reverse()) {
    const [r, c] = hint.points[0];
    const x = rect.left + c / state.photo.width * rect.width;
    const y = rect.top + r / state.photo.height * rect.height;
    if (hint.kind === "point" && Math.hypot(event.clientX - x, event.clientY - y) <= 8) return hint;
  }
  return null;
}

let gesture = null;

function pointerDown(event) {
  if (!state.photo) return;
  $("overlay").setPointerCapture(event.pointerId);
  gesture = {start: pixelAt(event), x: event.clientX, y: event.clientY, hint: hintNear(event), path: [pixelAt(event)],
             moved: false};
}

function pointerMove(event) {
  if (!gesture) return;
  if (Math.hypot(event.clientX - gesture.x, event.clientY - gesture.y) > 4) gesture.moved = true;
  if (gesture.moved && !gesture.hint) {
    gesture.path.push(pixelAt(event));
    drawOverlay(gesture.path);
  }
}

function pointerUp(event) {
  if (!gesture) return;
  const started = performance.now();
  const {hint, moved, start, path} = gesture;
  const end = pixelAt(event);
  gesture = null;
  if (hint && !moved) {
    state.selected = hint.id;
    setColor(hint.color);
    renderHints();
    suggest(hint.points[0]);
  } else if (hint) {
    moveHint(hint, end[0] - start[0], end[1] - start[1], started);
  } else if (moved) {
    addHint("stroke", thin(path.concat([end])), started);
  } else {
    addHint("point", [start], started);
  }
}

// The drawn path, thinned to a point every few pixels.
function thin(path) {
  const kept = [path[0]];
  for (const p of path.slice(1)) {
    const q = kept[kept.length - 1];
    if (Math.hypot(p[0] - q[0], p[1] - q[1]) >= 3) kept.push(p);
  }
  return kept;
}

// -- wiring ---------------------------------------------------------------------------------------------

function run(task) {
  return Promise.resolve().then(task).catch((error) => say(error.message));
}

function wire() {
  const overlay = $("overlay");
  overlay.addEventListener("pointerdown", pointerDown);
  overlay.addEventListener("pointermove", pointerMove);
  overlay.addEventListener("pointerup", pointerUp);
  $("file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (file) run(() => upload(file));
  });
  $("picker").addEventListener("input", (event) => (state.color = hexRgb(event.target.value)));
  $("picker").addEventListener("change", (event) => {
    setColor(hexRgb(event.target.value));
    recolor(state.color, performance.now());
  });
  $("undo").addEventListener("click", () => undo(performance.now()));
  $("redo").addEventListener("click", () => redo(performance.now()));
  $("clear").addEventListener("click", () => {
    if (!state.hints.length) return;
    remember();
    state.hints = [];
    state.selected = null;
    change({op: "clear"}, performance.now());
  });
  $("temperature").addEventListener("change", (event) => run(async () => {
    const photo = state.photo;
    if (!photo) return;
    await draw("colors", await api(`/api/photo/${photo.photo}/temperature?width=${$("colors").width}`,
                                   json({temperature: Number(event.target.value)})));
  }));
  $("reference").addEventListener("change", (event) => run(async () => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file || !state.photo) return;
    await draw("colors", await api(`/api/photo/${state.photo.photo}/reference?width=${$("colors").width}`,
                                   {method: "POST", body: file, headers: {"X-Filename": file.name}}));
    $("noreference").hidden = false;
    say(`${file.name}: its palette now guides the colors`, true);
  }));
  $("noreference").addEventListener("click", () => run(async () => {
    await draw("colors", await api(`/api/photo/${state.photo.photo}/reference?width=${$("colors").width}`,
                                   {method: "POST", body: ""}));
    $("noreference").hidden = true;
  }));
  $("save").addEventListener("click", () => run(async () => {
    if (!state.photo) return;
    await state.queue;
    const saved = await (await api(`/api/photo/${state.photo.photo}/save`, json({}))).json();
    $("saved").textContent = `saved ${saved.colorized} and ${saved.hints}; the same colors again: ${saved.command}`;
    say("saved", true);
  }));
  document.addEventListener("keydown", (event) => {
    const key = event.key.toLowerCase();
    if ((event.ctrlKey || event.metaKey) && key === "z") {
      event.preventDefault();
      (event.shiftKey ? redo : undo)(performance.now());
    } else if ((event.ctrlKey || event.metaKey) && key === "y") {
      event.preventDefault();
      redo(performance.now());
    } else if ((key === "delete" || key === "backspace") && state.selected && event.target === document.body) {
      removeHint(state.selected, performance.now());
    }
  });
  document.addEventListener("dragover", (event) => {
    event.preventDefault();
    document.body.classList.add("dragging");
  });
  document.addEventListener("dragleave", () => document.body.classList.remove("dragging"));
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    document.body.classList.remove("dragging");
    const file = event.dataTransfer.files[0];
    if (file) run(() => upload(file));
  });
}

async function start() {
  wire();
  await loadFolder();
  // A reload finds the photo it had open, with its hints: kept by the server, or given again.
  const open = JSON.parse(sessionStorage.getItem("somcolor.open") || "null");
  if (open) {
    const {photos} = await (await api("/api/photos")).json();
    const alive = photos.find((p) => p.photo === open.photo);
    if (alive) return showPhoto(alive, stored(alive).hints || alive.hints);
    if (open.source === "folder") return openFolderPhoto(open.name);
    say(`${open.name}: the app no longer holds this photo; open it again (its hints are kept)`);
    return;
  }
  const wanted = new URLSearchParams(location.search).get("photo");
  if (wanted) return openFolderPhoto(wanted);
}

run(start).finally(() => document.body.setAttribute("data-started", "1"));
