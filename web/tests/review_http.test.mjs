// `modir review`'s server refuses what it must: requests without the token, paths out of the
// folder however spelled, links out of it, other hosts' names; and it listens on 127.0.0.1 only.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { freshWorkDir, registeredPair, startReview } from "./review_fixture.mjs";

let server, result;

// One raw HTTP request, the path sent exactly as written (no client-side normalising of "..").
function rawGet(port, target, host = `127.0.0.1:${port}`) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    let data = "";
    socket.on("data", (d) => { data += d.toString("latin1"); });
    socket.on("end", () => resolve({ status: Number(data.split(" ")[1]), body: data.split("\r\n\r\n").slice(1).join("") }));
    socket.on("error", reject);
  });
}

before(async () => {
  freshWorkDir();
  result = registeredPair("reg").out;
  // A link inside the folder pointing out of it, and one pointing at a file inside it.
  fs.symlinkSync(path.resolve(result, "..", "reg_pair", "meta.json"), path.join(result, "leak.json"));
  fs.symlinkSync("report.json", path.join(result, "same_report.json"));
  server = await startReview(result);
});
after(() => server && server.stop());

test("a request with the token is served", async () => {
  const r = await rawGet(server.port, `/files/report.json?token=${server.token}`);
  assert.equal(r.status, 200);
  assert.match(r.body, /"command"/);
  const page = await rawGet(server.port, `/?token=${server.token}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>modir review<\/title>/);
});

test("requests without the token, or with a wrong one, are refused", async () => {
  for (const target of ["/", "/files/report.json", "/api/manifest", "/api/volume/fixed.nii",
                        "/assets/review.js", `/files/report.json?token=${"0".repeat(32)}`,
                        `/files/report.json?token=${server.token.slice(0, 31)}`]) {
    const r = await rawGet(server.port, target);
    assert.equal(r.status, 403, target);
  }
});

test("paths out of the folder are refused however spelled", async () => {
  const t = `token=${server.token}`;
  for (const target of [`/files/../reg_pair/meta.json?${t}`, `/files/%2e%2e/reg_pair/meta.json?${t}`,
                        `/files/%2E%2E%2Freg_pair%2Fmeta.json?${t}`, `/files//etc/passwd?${t}`,
                        `/files/%2Fetc%2Fpasswd?${t}`, `/files/./report.json?${t}`,
                        `/assets/../../../../etc/passwd?${t}`, `/files/..%5creg_pair%5cmeta.json?${t}`]) {
    const r = await rawGet(server.port, target);
    assert.ok(r.status === 404 || r.status === 400, `${target}: ${r.status}`);
    assert.doesNotMatch(r.body, /root:|"labels"/, target);
  }
});

test("a symlink out of the folder is refused, one inside it is followed", async () => {
  const out = await rawGet(server.port, `/files/leak.json?token=${server.token}`);
  assert.equal(out.status, 404);
  assert.match(out.body, /outside the folder/);
  const inside = await rawGet(server.port, `/files/same_report.json?token=${server.token}`);
  assert.equal(inside.status, 200);
});

test("a request naming another host is refused (DNS rebinding)", async () => {
  const r = await rawGet(server.port, `/files/report.json?token=${server.token}`, `evil.example:${server.port}`);
  assert.equal(r.status, 403);
});

test("the server listens on 127.0.0.1 only", () => {
  // /proc/net/tcp lists listening sockets (state 0A) as hex address:port, little-endian address.
  const port = server.port.toString(16).toUpperCase().padStart(4, "0");
  const listening = [fs.readFileSync("/proc/net/tcp", "utf8"), fs.readFileSync("/proc/net/tcp6", "utf8")]
    .join("\n").split("\n").map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 3 && f[3] === "0A" && f[1].endsWith(`:${port}`)).map((f) => f[1]);
  assert.deepEqual(listening, [`0100007F:${port}`]);
});

test("unknown volumes and solutions are errors, not crashes", async () => {
  const t = `token=${server.token}`;
  assert.equal((await rawGet(server.port, `/api/volume/passwd.nii?${t}`)).status, 404);
  assert.equal((await rawGet(server.port, `/api/volume/warped.nii?solution=3&${t}`)).status, 404);
  assert.equal((await rawGet(server.port, `/api/volume/warped.nii?solution=-1&${t}`)).status, 400);
  const ok = await rawGet(server.port, `/api/volume/jacobian.nii?${t}`);
  assert.equal(ok.status, 200);
});
