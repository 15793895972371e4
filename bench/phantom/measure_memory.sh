#!/usr/bin/env bash
# Measures `modir phantom`'s peak memory (GNU time's maximum resident set) against its own
# estimate (--dry-run) for pairs given as SIZE:SEED[:v] (v: with --variety), and prints one line
# per pair: size, seed, variety, fixed and moving voxels, estimate and measured peak in MiB, and
# the estimate's error. Cohorts are given as cohort:SIZE:SEED:PATIENTS[:c] (c: with --couch).
#   bench/phantom/measure_memory.sh small:1 medium:2:v large:1 cohort:medium:1:3
set -euo pipefail
modir="${MODIR:-build/release/apps/modir/modir}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '%-7s %5s %7s %12s %12s %9s %9s %7s\n' size seed variety fixed_vox moving_vox est_MiB peak_MiB error
for spec in "$@"; do
  if [[ "$spec" == cohort:* ]]; then
    IFS=: read -r _ size seed patients couch <<< "$spec"
    extra=(--cohort "$patients")
    [ "${couch:-}" = c ] && extra+=(--couch)
    estimate=$("$modir" phantom --seed "$seed" --size "$size" "${extra[@]}" --out "$work/c" \
      --dry-run | sed -n 's/estimated peak memory: \([0-9]*\) MiB.*/\1/p')
    /usr/bin/time -f '%M' -o "$work/time" "$modir" phantom --quiet --seed "$seed" --size "$size" \
      "${extra[@]}" --out "$work/c" > /dev/null
    peak=$(( $(cat "$work/time") / 1024 ))
    python3 -c "e,p=$estimate,$peak; print(f'%-7s %5s %7s %12s %12s %9d %9d %+6.0f%%' % ('$size','$seed','cohort$patients${couch:+c}','-','-',e,p,(e-p)/p*100))"
    rm -rf "$work/c"
    continue
  fi
  IFS=: read -r size seed variety <<< "$spec"
  extra=()
  [ "${variety:-}" = v ] && extra=(--variety)
  estimate=$("$modir" phantom --seed "$seed" --size "$size" --deformation large "${extra[@]}" \
    --out "$work/p" --dry-run | sed -n 's/estimated peak memory: \([0-9]*\) MiB.*/\1/p')
  /usr/bin/time -f '%M' -o "$work/time" "$modir" phantom --quiet --seed "$seed" --size "$size" \
    --deformation large "${extra[@]}" --out "$work/p" > /dev/null
  peak=$(( $(cat "$work/time") / 1024 ))
  voxels=$(python3 -c "import json,math; g=json.load(open('$work/p/meta.json'))['grids']; print(math.prod(g['fixed']['size']), math.prod(g['moving']['size']))")
  python3 -c "e,p=$estimate,$peak; print(f'%-7s %5s %7s %12s %12s %9d %9d %+6.0f%%' % ('$size','$seed','${variety:-no}',*'$voxels'.split(),e,p,(e-p)/p*100))"
  rm -rf "$work/p"
done
