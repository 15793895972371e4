// The review page in a real browser (Debian's chromium, driven by playwright-core; WebGL through
// SwiftShader): it opens a registration and a front in time, draws the scan and the structures
// where they lie, links the views, switches solutions, and "choose" writes what `modir front pick`
// writes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { freshWorkDir, modir, registeredPair, startReview, workDir } from "./review_fixture.mjs";

const CHROMIUM = process.env.MODIR_CHROMIUM || "/usr/bin/chromium";
let browser, registration, front;

// Wall-time bounds. The targets (a medium registration open in 3 s, a front in 5 s, a
// switch in 1 s) hold on an idle machine and are measured by bench/review/review_timing.mjs.
// Here CTest runs two tests at once, and on CI this one shares two cores with the workflow test:
// a 1.4-2.0 s open took 5.9 s there (2026-12-05). The test therefore holds bounds several times the
// targets, which catch a page that stalls or reloads everything, not a machine that is busy.
const LOAD_FACTOR = 4;

before(async () => {
  freshWorkDir();
  registration = registeredPair("medium", { size: "medium", seed: 5 });
  front = registeredPair("front", { size: "small", seed: 3, pareto: 6 });
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
           "--disable-background-networking", "--disable-component-update", "--no-first-run",
           "--disable-sync", "--disable-quic"],
  });
});
after(async () => { if (browser) await browser.close(); });

// Opens `url` and waits for the page's first volumes; returns the page and seconds to ready.
async function open(url) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 }, deviceScaleFactor: 1 });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const started = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 60000 });
  const seconds = (Date.now() - started) / 1000;
  assert.deepEqual(errors, []);
  return { page, seconds };
}

// The canvas as RGBA pixels, decoded in the page from a screenshot of it.
async function canvasPixels(page) {
  const png = (await page.locator("#gl").screenshot()).toString("base64");
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    window.__pixels = g.getImageData(0, 0, c.width, c.height);
    return { width: c.width, height: c.height };
  }, png);
}

// Statistics of the last canvasPixels inside a rectangle (canvas pixels).
function regionStats(page, [left, top, width, height]) {
  return page.evaluate(([l, t, w, h]) => {
    const { data, width: W } = window.__pixels;
    let n = 0, sum = 0, sum2 = 0;
    const colours = new Set();
    for (let y = Math.round(t); y < t + h; ++y)
      for (let x = Math.round(l); x < l + w; ++x) {
        const i = 4 * (y * W + x);
        const grey = (data[i] + data[i + 1] + data[i + 2]) / 3;
        n++; sum += grey; sum2 += grey * grey;
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      }
    const mean = sum / n;
    return { mean, std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), colours: colours.size,
             hash: Array.from(data.slice(0, 16)).join() };
  }, [left, top, width, height]);
}

function pixelAt(page, x, y) {
  return page.evaluate(([x, y]) => {
    const { data, width } = window.__pixels;
    const i = 4 * (Math.round(y) * width + Math.round(x));
    return [data[i], data[i + 1], data[i + 2]];
  }, [x, y]);
}

// The 2D tiles NiiVue draws: [left, top, width, height] per axial (0), coronal (1), sagittal (2).
function tiles(page) {
  return page.evaluate(() => {
    const out = {};
    for (const s of window.modirReview.nv.screenSlices) out[s.axCorSag] = s.leftTopWidthHeight;
    return out;
  });
}

test("a medium registration opens in time and shows the scan", async () => {
  const server = await startReview(registration.out);
  try {
    const { page, seconds } = await open(server.url);
    console.log(`medium registration ready in ${seconds.toFixed(2)} s`);
    assert.ok(seconds <= 3 * LOAD_FACTOR, `opened in ${seconds} s`);
    await canvasPixels(page);
    const t = await tiles(page);
    for (const axis of [0, 1, 2]) {
      const s = await regionStats(page, t[axis]);
      assert.ok(s.std > 20 && s.colours > 200, `tile ${axis} looks blank: ${JSON.stringify(s)}`);
    }

    // The bladder's colour where the bladder lies: the crosshair on a bladder voxel, labels opaque.
    const manifest = await page.evaluate(() => window.modirReview.state.manifest);
    const bladder = manifest.label_sets.warped_labels.find((l) => l.name === "bladder");
    assert.ok(bladder, "the phantom's labels name a bladder");
    await page.locator("#label-opacity").fill("1");
    const probe = await page.evaluate((value) => {
      const nv = window.modirReview.nv;
      const labels = nv.volumes[nv.volumes.length - 1];
      const [nx, ny, nz] = labels.hdr.dims.slice(1, 4);
      let sx = 0, sy = 0, sz = 0, n = 0;
      for (let z = 0; z < nz; ++z) for (let y = 0; y < ny; ++y) for (let x = 0; x < nx; ++x)
        if (labels.img[x + nx * (y + ny * z)] === value) { sx += x; sy += y; sz += z; n++; }
      // The file's voxel -> RAS mm map (NIfTI sform/qform as NiiVue read it), then NiiVue's frame.
      const a = labels.hdr.affine, v = [sx / n, sy / n, sz / n, 1];
      const mm = [0, 1, 2].map((r) => a[r][0] * v[0] + a[r][1] * v[1] + a[r][2] * v[2] + a[r][3]);
      const frac = nv.mm2frac(mm);
      nv.scene.crosshairPos = frac;
      nv.drawScene();
      return { frac: Array.from(frac), canvas: nv.frac2canvasPos(frac), n };
    }, bladder.value);
    assert.ok(probe.n > 1000 && probe.canvas, JSON.stringify(probe));
    // A few pixels off the crosshair lines, inside the bladder.
    const [px, py] = [probe.canvas[0] + 4, probe.canvas[1] + 4];
    await canvasPixels(page);
    const shown = await pixelAt(page, px, py);

    const distance = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    assert.ok(distance(shown, bladder.colour) < 40, `bladder pixel ${shown} vs ${bladder.colour}`);
    await page.locator(`#structures input[data-value="${bladder.value}"]`).uncheck();
    await canvasPixels(page);
    const hidden = await pixelAt(page, px, py);
    assert.ok(distance(hidden, bladder.colour) > 60, `hidden bladder still drawn: ${hidden}`);
    await page.close();
  } finally {
    server.stop();
  }
});

test("a click in one view moves the crosshair of the others", async () => {
  const server = await startReview(registration.out);
  try {
    const { page } = await open(server.url);
    const t = await tiles(page);
    await canvasPixels(page);
    const before = { cor: await regionStats(page, t[1]), sag: await regionStats(page, t[2]) };
    const locationBefore = await page.locator("#location").innerText();
    const box = await page.locator("#gl").boundingBox();
    const [l, top, w, h] = t[0];
    await page.mouse.click(box.x + l + w * 0.3, box.y + top + h * 0.35);
    await page.waitForFunction((old) => document.querySelector("#location").innerText !== old, locationBefore);
    await canvasPixels(page);
    const after = { cor: await regionStats(page, t[1]), sag: await regionStats(page, t[2]) };
    assert.notEqual(after.cor.mean.toFixed(3) + after.cor.std, before.cor.mean.toFixed(3) + before.cor.std,
                    "the coronal view did not change");
    assert.notEqual(after.sag.mean.toFixed(3) + after.sag.std, before.sag.mean.toFixed(3) + before.sag.std,
                    "the sagittal view did not change");
    assert.match(await page.locator("#location").innerText(), /mm \(LPS\)/);

    // Every comparison mode and map loads without an error.
    for (const mode of ["checkerboard", "difference", "blend"]) {
      await page.locator(`input[name=compare][value=${mode}]`).check();
      await page.waitForFunction((m) => (document.body.dataset.shown || "").includes(m === "blend" ? "warped" : m), mode);
    }
    for (const map of ["jacobian", "displacement_magnitude"]) {
      await page.locator("#map").selectOption(map);
      await page.waitForFunction((m) => (document.body.dataset.shown || "").includes(m), map);
    }
    assert.doesNotMatch(await page.locator("#status").innerText(), /could not|cannot/);
    await page.close();
  } finally {
    server.stop();
  }
});

test("a front opens in time; a clicked solution is shown in time; choose records it as front pick does", async () => {
  const server = await startReview(front.out);
  try {
    const { page, seconds } = await open(server.url);
    console.log(`front of 6 ready in ${seconds.toFixed(2)} s`);
    assert.ok(seconds <= 5 * LOAD_FACTOR, `opened in ${seconds} s`);
    const knee = await page.evaluate(() => window.modirReview.state.manifest.front.knee);
    const other = knee === 0 ? 1 : 0;
    await canvasPixels(page);
    const t = await tiles(page);
    const kneeView = await regionStats(page, t[0]);
    const started = Date.now();
    await page.locator(`#plot circle[data-solution="${other}"]`).click();
    await page.waitForFunction((k) => JSON.parse(document.body.dataset.shown || "{}").solution === k, other);
    // The page's own measure, from the click event to the drawn views; Playwright's adds its
    // actionability checks and polling, so it only has to stay within reason.
    const switchSeconds = await page.evaluate(() => window.modirReview.switches.at(-1).seconds);
    const outside = (Date.now() - started) / 1000;
    console.log(`solution ${other} shown in ${switchSeconds.toFixed(2)} s (${outside.toFixed(2)} s as Playwright saw it)`);
    assert.ok(switchSeconds <= 1 * LOAD_FACTOR, `switching took ${switchSeconds} s`);
    assert.ok(outside <= 5 * LOAD_FACTOR, `Playwright waited ${outside} s`);
    await page.locator("#background").selectOption("warped");
    await page.waitForFunction(() => JSON.parse(document.body.dataset.shown).layers[0] === "warped");
    await canvasPixels(page);
    const otherView = await regionStats(page, t[0]);
    assert.notEqual(JSON.stringify(otherView), JSON.stringify(kneeView), "the view did not change");

    // Hover shows the solution's numbers, the truth's among them.
    await page.locator(`#plot circle[data-solution="${knee}"]`).hover();
    assert.match(await page.locator("#tooltip").innerText(), /truth: TRE mean/);

    await page.locator("#choose").click();
    await page.waitForFunction(() => /recorded solution/.test(document.querySelector("#choice").innerText));
    const written = fs.readFileSync(path.join(front.out, "choice.json"), "utf8");
    const reference = path.join(workDir, "pick.json");
    modir(["front", "pick", front.out, "--index", String(other), "--json", reference]);
    assert.equal(written, fs.readFileSync(reference, "utf8"));
    await page.close();
  } finally {
    server.stop();
  }
});

test("a prostate patient's gold markers are listed; a click takes the crosshair to one", async () => {
  const marked = registeredPair("marked", { size: "small", seed: 9030, phantom: ["--sex", "male", "--markers"] });
  const report = JSON.parse(fs.readFileSync(path.join(marked.out, "report.json"), "utf8"));
  const markers = report.fiducial_markers;
  assert.equal(markers.paired, 3);
  const server = await startReview(marked.out);
  try {
    const { page } = await open(server.url);
    assert.equal(await page.locator("#markers").isVisible(), true);
    assert.match(await page.locator("#markers-summary").innerText(), /^3 paired of 3 \(fixed\) and 3 \(moving\); carried to/);
    assert.equal(await page.locator("#marker-list button").count(), 3);
    const before = await page.locator("#location").innerText();
    await page.locator("#marker-list button").nth(1).click();
    await page.waitForFunction((old) => document.querySelector("#location").innerText !== old, before);
    const lps = (await page.locator("#location").innerText()).split(" mm (LPS)")[0].split(",").map(Number);
    const target = markers.pairs[1].fixed_mm;
    // The crosshair stands on the marker (to within a voxel of the small scan, 2 x 2 x 3 mm).
    for (let a = 0; a < 3; ++a) assert.ok(Math.abs(lps[a] - target[a]) <= 2.0, `${lps} vs ${target}`);
    await page.close();
  } finally {
    server.stop();
  }
  // An unmarked registration shows no such section.
  const plain = await startReview(registration.out);
  try {
    const { page } = await open(plain.url);
    assert.equal(await page.locator("#markers").isVisible(), false);
    await page.close();
  } finally {
    plain.stop();
  }
});

test("report.html opens without a network and shows every section", async () => {
  const cases = [
    { dir: registration.out, sections: ["summary", "structures", "checkerboard", "jacobian", "metrics"] },
    { dir: front.out, sections: ["summary", "structures", "checkerboard", "jacobian", "front", "metrics"] },
  ];
  for (const { dir, sections } of cases) {
    const file = path.join(workDir, `${path.basename(dir)}_report.html`);
    const started = Date.now();
    modir(["report", dir, "--out", file]);
    const seconds = (Date.now() - started) / 1000;
    const megabytes = fs.statSync(file).size / 1e6;
    console.log(`${path.basename(dir)}: report.html ${megabytes.toFixed(1)} MB in ${seconds.toFixed(1)} s`);
    assert.ok(megabytes <= 15 && seconds <= 20, `${megabytes} MB, ${seconds} s`);

    const page = await browser.newPage();
    const requests = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(`file://${file}`);
    assert.deepEqual(requests, [], "the report asked the network for something");
    const found = await page.evaluate(() => Array.from(document.querySelectorAll("section")).map((s) => s.id));
    assert.deepEqual(found, sections);
    const images = await page.evaluate(() => Array.from(document.images).map((i) => i.complete && i.naturalWidth > 0));
    assert.ok(images.length >= 3 && images.every(Boolean), `images: ${images}`);
    const structures = await page.locator("#structures figure").count();
    assert.ok(structures >= 5, `${structures} structure figures`);
    if (sections.includes("front"))
      assert.equal(await page.locator("#front svg").count(), 3); // three pairs of objectives
    await page.close();
  }
});
