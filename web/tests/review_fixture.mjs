// What the review tests share: running the modir binary, and starting `modir review` on a folder
// and reading the address it prints.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const modirBinary = process.env.MODIR_BINARY;
export const workDir = process.env.MODIR_TEST_WORK;
if (!modirBinary || !workDir) throw new Error("set MODIR_BINARY and MODIR_TEST_WORK (CTest does)");

export function modir(args) {
  const run = spawnSync(modirBinary, args, { encoding: "utf8", cwd: workDir });
  if (run.status !== 0)
    throw new Error(`modir ${args.join(" ")} failed (${run.status}):\n${run.stderr}`);
  return run.stdout;
}

export function freshWorkDir() {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
}

// A phantom pair and its registration (labels guiding), and with `pareto` a front instead.
export function registeredPair(name, { size = "small", seed = 3, pareto = 0, phantom = [] } = {}) {
  const pair = path.join(workDir, `${name}_pair`);
  const out = path.join(workDir, name);
  modir(["phantom", "--quiet", "--seed", String(seed), "--size", size, "--deformation", "large",
         ...phantom, "--out", pair]);
  const args = ["register", "--quiet", "--fixed", `${pair}/fixed.nii.gz`, "--moving",
                `${pair}/moving.nii.gz`, "--fixed-labels", `${pair}/fixed_labels.nii.gz`,
                "--moving-labels", `${pair}/moving_labels.nii.gz`, "--out", out];
  if (pareto) args.push("--pareto", String(pareto), "--truth", pair);
  modir(args);
  return { pair, out };
}

// Starts `modir review DIR --no-open` and resolves once it has printed its address.
export function startReview(dir) {
  const proc = spawn(modirBinary, ["review", dir, "--no-open"], { cwd: workDir });
  return new Promise((resolve, reject) => {
    let stdout = "", stderr = "";
    const timer = setTimeout(() => reject(new Error(`modir review printed no address:\n${stderr}`)), 20000);
    proc.stderr.on("data", (d) => { stderr += d; });
    proc.on("exit", (code) => reject(new Error(`modir review ended (${code}):\n${stderr}`)));
    proc.stdout.on("data", (d) => {
      stdout += d;
      const m = stdout.match(/http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+)/);
      if (!m) return;
      clearTimeout(timer);
      resolve({ proc, url: m[0], port: Number(m[1]), token: m[2],
                base: `http://127.0.0.1:${m[1]}`, stop: () => proc.kill("SIGINT") });
    });
  });
}
