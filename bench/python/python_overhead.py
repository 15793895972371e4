#!/usr/bin/python3
"""What a registration from Python costs over the command line's (issue 18: at most 5 %), and how
long `import modir` takes (at most 0.5 s).

Both register the same medium phantom pair guided by its labels and write the same output folder;
the Python side also reads the files itself, as a user's script would. Runs alternate (CLI,
Python, CLI, ...) so that a machine growing busier does not favour one side; the median of each
side is compared. Needs the build tree (PYTHONPATH=build/release/python is set here).

  bench/python/python_overhead.py [--repeats 3] [--seed 301] [--size medium] [--threads 2]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build" / "release"


def timed(command, env=None):
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", default="301")
    ap.add_argument("--size", default="medium")
    ap.add_argument("--threads", default="2")
    args = ap.parse_args()
    modir = str(BUILD / "apps" / "modir" / "modir")
    env = dict(os.environ, PYTHONPATH=str(BUILD / "python"))
    with tempfile.TemporaryDirectory(prefix="modir-python-bench-") as work:
        pair = Path(work) / "pair"
        subprocess.run([modir, "phantom", "--quiet", "--size", args.size, "--seed", args.seed,
                        "--out", str(pair)], check=True)
        files = {name: str(pair / f"{name}.nii.gz")
                 for name in ("fixed", "moving", "fixed_labels", "moving_labels")}
        cli = [modir, "register", "--quiet", "--threads", args.threads,
               "--fixed", files["fixed"], "--moving", files["moving"],
               "--fixed-labels", files["fixed_labels"], "--moving-labels", files["moving_labels"],
               "--out", str(Path(work) / "cli")]
        script = (
            "import modir\n"
            f"f = modir.read_image({files['fixed']!r}); m = modir.read_image({files['moving']!r})\n"
            f"fl = modir.read_labels({files['fixed_labels']!r})\n"
            f"ml = modir.read_labels({files['moving_labels']!r})\n"
            f"modir.register(f, m, fixed_labels=fl, moving_labels=ml, threads={args.threads}, "
            f"out={str(Path(work) / 'py')!r})\n")
        python = [sys.executable, "-c", script]
        import_times = [timed([sys.executable, "-c", "import modir"], env) for _ in range(5)]
        cli_times, python_times = [], []
        for _ in range(args.repeats):
            cli_times.append(timed(cli))
            python_times.append(timed(python, env))
    cli_median, python_median = statistics.median(cli_times), statistics.median(python_times)
    print(f"pair: {args.size} seed {args.seed}, guided by labels, {args.threads} threads, "
          f"{args.repeats} runs each")
    print("command line s: " + ", ".join(f"{t:.2f}" for t in cli_times))
    print("python s:       " + ", ".join(f"{t:.2f}" for t in python_times))
    print(f"python / command line (medians): {python_median / cli_median:.3f} "
          f"(target <= 1.05)")
    print(f"python3 -c 'import modir' (whole interpreter start) s: median "
          f"{statistics.median(import_times):.3f}")


if __name__ == "__main__":
    main()
