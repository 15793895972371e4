// The review page: three orthogonal views of a registration result (NiiVue), the structures over
// the fixed scan, the deformation's maps, and for a front the plot of its solutions and the
// choice. Everything is fetched from the modir review server with the page's token.
"use strict";

(function () {
  const token = window.modirToken;
  const $ = (selector) => document.querySelector(selector);
  const plot = window.modirFrontPlot;

  function address(path, params = {}) {
    const url = new URL(path, location.href);
    url.searchParams.set("token", token);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  }

  const INPUTS = new Set(["fixed", "moving", "fixed_labels", "moving_labels"]);
  const state = {
    manifest: null,
    background: "fixed",
    compare: "none",
    blend: 0.5,
    centre: 40,
    width: 400,
    labels: "warped_labels",
    labelOpacity: 0.45,
    hidden: {}, // label map id -> Set of hidden values
    map: "none",
    mapOpacity: 0.6,
    solution: null, // null: the folder's own result; a number: that front solution
    axes: [0, 1],
    chosen: null,
    location: null,
    shown: [],
  };

  function status(text) { $("#status").textContent = text; }

  // --- volumes -------------------------------------------------------------------------------
  const images = new Map(); // "id@solution" -> Promise<NVImage>

  function loadImage(id, solution) {
    const sol = INPUTS.has(id) ? null : solution;
    const key = `${id}@${sol === null ? "-" : sol}`;
    if (!images.has(key)) {
      const params = sol === null ? {} : { solution: sol };
      const promise = niivue.NVImage.loadFromUrl({ url: address(`api/volume/${id}.nii`, params),
                                                   name: `${id}.nii` });
      promise.catch(() => images.delete(key)); // a failed load may be retried
      images.set(key, promise);
    }
    return images.get(key);
  }

  function available(id) {
    const v = state.manifest.volumes[id];
    return v && v.available;
  }

  // The layers the controls ask for, bottom first.
  function wantedLayers() {
    const layers = [];
    const compare = state.compare;
    let background = state.background;
    if (compare === "checkerboard" || compare === "difference") background = compare;
    if (compare === "blend") background = "fixed";
    layers.push({ id: background, kind: background === "difference" ? "difference" : "scan" });
    if (compare === "blend") layers.push({ id: "warped", kind: "scan", opacity: state.blend });
    const onMoving = background === "moving";
    if (state.map !== "none" && !onMoving) {
      layers.push({ id: state.map, kind: state.map });
      if (state.map === "jacobian") layers.push({ id: "folded", kind: "folded" });
    }
    if (state.labels !== "none")
      layers.push({ id: labelsShown(), kind: "labels" });
    return layers;
  }

  // The label map drawn now: the moving scan's own labels under it, else the chosen one.
  function labelsShown() {
    if (state.labels === "none") return null;
    const onMoving = state.background === "moving" && state.compare === "none";
    return onMoving ? "moving_labels" : state.labels;
  }

  function labelSet(id) { return (id && state.manifest.label_sets[id]) || []; }

  function hiddenOf(id) {
    if (!state.hidden[id]) {
      // The body outline label would grey the whole patient: off until asked for.
      state.hidden[id] = new Set(labelSet(id).filter((l) => /^(body|external|skin)$/i.test(l.name)).map((l) => l.value));
    }
    return state.hidden[id];
  }

  function labelColormap(id) {
    const hidden = hiddenOf(id);
    const cm = { R: [0], G: [0], B: [0], A: [0], I: [0], labels: [""] };
    for (const l of labelSet(id)) {
      cm.R.push(l.colour[0]); cm.G.push(l.colour[1]); cm.B.push(l.colour[2]);
      cm.A.push(hidden.has(l.value) ? 0 : 255);
      cm.I.push(l.value);
      cm.labels.push(l.name);
    }
    return cm;
  }

  function style(layer, img) {
    img.colorbarVisible = false;
    const lo = state.centre - state.width / 2, hi = state.centre + state.width / 2;
    if (layer.kind === "scan") {
      img.colormap = "gray"; img.cal_min = lo; img.cal_max = hi; img.opacity = layer.opacity ?? 1;
    } else if (layer.kind === "difference") {
      img.colormap = "gray"; img.cal_min = -state.width / 2; img.cal_max = state.width / 2;
      img.opacity = 1;
    } else if (layer.kind === "jacobian") {
      img.colormap = "blue2red"; img.cal_min = 0; img.cal_max = 2; img.opacity = state.mapOpacity;
      img.colorbarVisible = true;
    } else if (layer.kind === "displacement_magnitude") {
      img.colormap = "viridis"; img.cal_min = 0; img.cal_max = Math.max(1, img.global_max || 1);
      img.opacity = state.mapOpacity; img.colorbarVisible = true;
    } else if (layer.kind === "folded") {
      img.setColormapLabel({ R: [0, 255], G: [0, 0], B: [0, 255], A: [0, 255], I: [0, 1],
                             labels: ["", "folded"] });
      img.opacity = 1;
    } else if (layer.kind === "labels") {
      img.setColormapLabel(labelColormap(layer.id));
      img.opacity = state.labelOpacity;
    }
  }

  let generation = 0;
  let lastApply = Promise.resolve();
  const timings = [];
  const switches = [];
  let lastActivity = 0;

  // Shows what the controls ask for; a newer call supersedes an older one still loading.
  function apply() {
    const run = async () => {
      const mine = ++generation;
      const layers = wantedLayers().filter((l) => {
        if (available(l.id) || state.solution !== null) return true;
        status(`${l.id} cannot be shown: ${state.manifest.volumes[l.id]?.why || "not available"}`);
        return false;
      });
      const started = performance.now();
      status("loading…");
      let loaded;
      try {
        loaded = await Promise.all(layers.map((l) => loadImage(l.id, state.solution)));
      } catch (e) {
        if (mine === generation) status(`could not load a volume: ${e.message || e}`);
        return;
      }
      if (mine !== generation) return;
      const fetched = performance.now();
      // The whole stack at once: addVolume re-uploads every layer each time (NiiVue's
      // updateGLVolume), which costs seconds on a software-rendered WebGL. When the background
      // stays, only the layers from the first changed one up are uploaded again (each overlay
      // blends onto those below it, so the ones above a change must follow it).
      layers.forEach((l, i) => style(l, loaded[i]));
      const before = nv.volumes;
      let first = loaded.findIndex((img, i) => before[i] !== img);
      if (first < 0 && before.length !== loaded.length) first = loaded.length;
      nv.volumes = loaded;
      nv.back = loaded[0];
      nv.overlays = loaded.slice(1);
      nv.opts.isColorbar = layers.some((l) => l.kind === "jacobian" || l.kind === "displacement_magnitude");
      if (first <= 0 || loaded.length < before.length) {
        nv.updateGLVolume();
      } else {
        for (let i = first; i < loaded.length; ++i) nv.refreshLayers(loaded[i], i);
        nv.drawScene();
      }
      state.shown = layers.map((l) => l.id);
      // Where the time went, for bench/review: fetching and parsing, then uploading and drawing.
      timings.push({ solution: state.solution, fetch_s: (fetched - started) / 1000,
                     draw_s: (performance.now() - fetched) / 1000 });
      document.body.dataset.shown = JSON.stringify({ solution: state.solution, layers: state.shown });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      status(`${state.solution === null ? "" : `solution ${state.solution}: `}shown in ${seconds} s`);
    };
    lastApply = lastApply.then(run, run);
    return lastApply;
  }

  function restyle() {
    const layers = wantedLayers();
    if (layers.map((l) => l.id).join() !== state.shown.join()) return apply();
    layers.forEach((l, i) => style(l, nv.volumes[i]));
    nv.updateGLVolume();
    return Promise.resolve();
  }

  // --- controls ------------------------------------------------------------------------------
  function structuresList() {
    const list = $("#structures");
    list.textContent = "";
    const id = labelsShown();
    const hidden = hiddenOf(id);
    for (const l of labelSet(id)) {
      const li = document.createElement("li");
      const box = document.createElement("input");
      box.type = "checkbox"; box.checked = !hidden.has(l.value); box.dataset.value = l.value;
      box.addEventListener("change", () => {
        if (box.checked) hidden.delete(l.value); else hidden.add(l.value);
        restyle();
      });
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = `rgb(${l.colour.join(",")})`;
      const name = document.createElement("label");
      name.textContent = l.name;
      li.append(box, swatch, name);
      list.appendChild(li);
    }
  }

  function setWindow(centre, width) {
    state.centre = centre; state.width = Math.max(1, width);
    $("#centre").value = state.centre; $("#width").value = state.width;
    restyle();
  }

  function wireControls() {
    $("#background").addEventListener("change", (e) => { state.background = e.target.value; structuresList(); apply(); });
    for (const r of document.querySelectorAll("input[name=compare]"))
      r.addEventListener("change", (e) => { state.compare = e.target.value; structuresList(); apply(); });
    $("#blend").addEventListener("input", (e) => { state.blend = +e.target.value; restyle(); });
    for (const b of document.querySelectorAll("#presets button"))
      b.addEventListener("click", () => setWindow(+b.dataset.centre, +b.dataset.width));
    $("#centre").addEventListener("change", (e) => setWindow(+e.target.value, state.width));
    $("#width").addEventListener("change", (e) => setWindow(state.centre, +e.target.value));
    $("#drag").addEventListener("change", (e) => {
      nv.opts.dragMode = e.target.value === "pan" ? nv.dragModes.pan : nv.dragModes.contrast;
    });
    $("#reset-view").addEventListener("click", () => nv.setPan2Dxyzmm([0, 0, 0, 1]));
    $("#labels").addEventListener("change", (e) => { state.labels = e.target.value; structuresList(); apply(); });
    $("#label-opacity").addEventListener("input", (e) => { state.labelOpacity = +e.target.value; restyle(); });
    $("#map").addEventListener("change", (e) => { state.map = e.target.value; apply(); });
    $("#map-opacity").addEventListener("input", (e) => { state.mapOpacity = +e.target.value; restyle(); });
    for (const [select, ids] of [["#labels", ["warped_labels", "fixed_labels"]],
                                 ["#map", ["jacobian", "displacement_magnitude"]],
                                 ["#background", ["warped", "moving"]]])
      for (const id of ids)
        if (!available(id) && !state.manifest.front) {
          const option = $(`${select} option[value=${id}]`);
          option.disabled = true;
          option.textContent += " (not available)";
        }
  }

  function showLocation(data) {
    state.location = data;
    const mm = data.mm; // NiiVue works in RAS; modir and DICOM speak LPS
    const lps = [-mm[0], -mm[1], mm[2]].map((v) => v.toFixed(1)).join(", ");
    const values = (data.values || []).map((v) => {
      const name = (v.name || "").replace(/\.nii$/, "");
      return `${name} ${typeof v.value === "number" ? +v.value.toFixed(2) : v.value}`;
    });
    $("#location").textContent = `${lps} mm (LPS)\n${values.join("\n")}`;
  }

  // Gold markers both scans hold (report.json's fiducial_markers; docs/registration.md): how far
  // the field carries each fixed marker from its partner, and a button per marker that takes the
  // crosshair to it in the fixed scan.
  function showMarkers(markers) {
    if (!markers) return;
    $("#markers").hidden = false;
    const paired = markers.paired ?? 0;
    let text = `${paired} paired of ${markers.fixed_found} (fixed) and ${markers.moving_found} (moving)`;
    if (paired)
      text += `; carried to ${(+markers.mean_residual_mm).toFixed(2)} mm of their partners on the ` +
              `mean, ${(+markers.max_residual_mm).toFixed(2)} mm at most`;
    $("#markers-summary").textContent = text;
    (markers.pairs || []).forEach((p, k) => {
      const button = document.createElement("button");
      button.textContent = `marker ${k + 1}: ${(+p.residual_mm).toFixed(2)} mm`;
      if (p.residual_mm > markers.off_above_mm) button.classList.add("off");
      button.addEventListener("click", () => {
        const [x, y, z] = p.fixed_mm;
        nv.scene.crosshairPos = nv.mm2frac([-x, -y, z]); // LPS to NiiVue's RAS
        nv.createOnLocationChange();
        nv.drawScene();
      });
      $("#marker-list").appendChild(button);
    });
  }

  // --- front -----------------------------------------------------------------------------------
  function drawFront() {
    const front = state.manifest.front;
    const current = state.solution === null ? front.knee : state.solution;
    plot.draw($("#plot"), front, state.axes[0], state.axes[1], {
      current, chosen: state.chosen, knee: front.knee,
      onHover: (k, event) => hover(k, event),
      onClick: (k, event) => showSolution(k, event && event.timeStamp),
    });
    $("#solution-info").innerText = plot.describe(front, current).join("\n");
    $("#choose").disabled = false;
    $("#choose").textContent = `Choose solution ${current}`;
  }

  function hover(k, event) {
    let tip = $("#tooltip");
    if (k === null) { if (tip) tip.remove(); return; }
    if (!tip) { tip = document.createElement("div"); tip.id = "tooltip"; document.body.appendChild(tip); }
    tip.innerText = plot.describe(state.manifest.front, k).join("\n");
    tip.style.left = `${event.clientX + 14}px`;
    tip.style.top = `${event.clientY + 10}px`;
  }

  // Shows solution k; the seconds from the click (the event's own time, so a busy page's delay
  // counts) to the drawn views are kept for bench/review.
  function showSolution(k, clickTime) {
    const clicked = clickTime ?? performance.now();
    lastActivity = clicked;
    state.solution = k;
    drawFront();
    return apply().then(() => {
      switches.push({ solution: k, seconds: (performance.now() - clicked) / 1000 });
    });
  }

  async function choose() {
    const front = state.manifest.front;
    const k = state.solution === null ? front.knee : state.solution;
    const response = await fetch(address("api/choose"), {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ index: k }),
    });
    const answer = await response.json();
    if (!response.ok) { $("#choice").textContent = `not recorded: ${answer.error}`; return answer; }
    state.chosen = answer.index;
    $("#choice").textContent = `recorded solution ${answer.index} in choice.json: ${answer.reason}` +
      (answer.rtstruct ? `; its propagated structures: ${answer.rtstruct}`
                       : answer.exported ? `; its outputs: ${answer.exported}` : "") +
      (answer.export_error ? `; its structures were not written: ${answer.export_error}` : "");
    drawFront();
    return answer;
  }

  function wireFront() {
    const front = state.manifest.front;
    $("#front").hidden = false;
    state.chosen = front.choice;
    if (front.choice !== null) $("#choice").textContent = `choice.json records solution ${front.choice}`;
    const axes = $("#axes");
    for (let i = 0; i < front.objectives.length; ++i)
      for (let j = i + 1; j < front.objectives.length; ++j) {
        const o = document.createElement("option");
        o.value = `${i},${j}`;
        o.textContent = `${front.objectives[i]} – ${front.objectives[j]}`;
        axes.appendChild(o);
      }
    axes.addEventListener("change", () => { state.axes = axes.value.split(",").map(Number); drawFront(); });
    $("#choose").addEventListener("click", choose);
    drawFront();
  }

  // --- start ---------------------------------------------------------------------------------
  let nv = null;

  async function start() {
    const opened = performance.now();
    const response = await fetch(address("api/manifest"));
    if (!response.ok) { status((await response.json()).error); return; }
    state.manifest = await response.json();
    const m = state.manifest;
    const frontText = m.front ? `Pareto front of ${m.front.solutions.length} solutions` : "";
    $("#kind").textContent = m.kind === "propagation"
      ? `contour propagation${frontText ? `, ${frontText}` : ""}` : frontText || "registration";
    if (m.kind === "propagation") {
      // Fixed is the daily scan, moving the planning scan; its labels are the propagated
      // structures and the organs the model found on the daily scan.
      $('#labels option[value="warped_labels"]').textContent = "propagated structures";
      $('#labels option[value="fixed_labels"]').textContent = "daily organs (model)";
      $('#background option[value="fixed"]').textContent = "daily";
      $('#background option[value="moving"]').textContent = "planning";
      $('#background option[value="warped"]').textContent = "planning, warped";
    }
    if (m.jacobian)
      $("#jacobian-summary").textContent =
        `Jacobian ${(+m.jacobian.min).toFixed(3)}…${(+m.jacobian.max).toFixed(3)}, folded ${m.jacobian.folded_voxels ?? 0} voxels`;
    if (!available("warped_labels") && available("fixed_labels")) state.labels = "fixed_labels";
    $("#labels").value = state.labels;
    // Start fetching the first volumes while NiiVue sets itself up.
    for (const l of wantedLayers()) if (available(l.id)) loadImage(l.id, null).catch(() => {});
    nv = new niivue.Niivue({
      backColor: [0.07, 0.07, 0.07, 1], show3Dcrosshair: false, isOrientationTextVisible: true,
      isRadiologicalConvention: true, multiplanarShowRender: niivue.SHOW_RENDER.NEVER,
      crosshairColor: [1, 0.8, 0, 0.9], loadingText: "", dragAndDropEnabled: false,
      isColorbar: false, fontMinPx: 15,
    });
    await nv.attachToCanvas($("#gl"));
    nv.setSliceType(nv.sliceTypeMultiplanar);
    nv.onLocationChange = showLocation;
    showMarkers(m.fiducial_markers);
    structuresList();
    wireControls();
    if (m.front) wireFront();
    await apply();
    lastActivity = performance.now();
    document.body.dataset.ready = ((performance.now() - opened) / 1000).toFixed(3);
    if (m.front) prefetchSolutions();
  }

  // Once the page is up, each solution's structures are fetched one after another in the
  // background, so that clicking a solution only has to draw it. Each fetch waits for a second
  // without clicks: a solution the user asks for is never queued behind the others.
  async function prefetchSolutions() {
    const front = state.manifest.front;
    const id = state.labels === "none" ? null : state.labels;
    if (!id || INPUTS.has(id)) return;
    const quiet = () => new Promise((resolve) => {
      const check = () => (performance.now() - lastActivity > 1000 ? resolve() : setTimeout(check, 250));
      check();
    });
    for (let k = 0; k < front.solutions.length; ++k) {
      await quiet();
      try { await loadImage(id, k); } catch (e) { return; }
    }
  }

  window.modirReview = {
    state,
    timings,
    switches,
    get nv() { return nv; },
    showSolution,
    choose,
    apply,
    ready: null,
  };
  const begin = () => { window.modirReview.ready = start().catch((e) => status(`error: ${e.message || e}`)); };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin);
  else begin();
})();
