#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/seed_*): small valid inputs
from which libFuzzer mutates. Images and DICOM objects are made by modir itself from a tiny
volume written here, so the seeds follow the writers; point files, configurations, manifests and
names files are written by hand; a front.json comes from a tiny `register --pareto` run.
Python 3 standard library only.

    fuzz/make_seed_corpus.py --modir build/release/apps/modir/modir
"""
import argparse
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = (6, 5, 4)  # x, y, z


def tiny_voxels(label=False):
    values = []
    for z in range(SIZE[2]):
        for y in range(SIZE[1]):
            for x in range(SIZE[0]):
                if label:
                    values.append(1 if 1 <= x <= 3 and 1 <= y <= 3 and 1 <= z <= 2 else 0)
                else:
                    values.append(-1000 + 100 * x + 40 * y + 300 * z)
    return values


def write_nifti(path, values, datatype, bitpix, fmt):
    """A NIfTI-1 single file: 1.5 x 1 x 2.5 mm, qform and sform set (RAS axes flipped, as ITK
    writes an LPS-identity image)."""
    header = bytearray(348)
    struct.pack_into("<i", header, 0, 348)
    dims = (3, SIZE[0], SIZE[1], SIZE[2], 1, 1, 1, 1)
    struct.pack_into("<8h", header, 40, *dims)
    struct.pack_into("<h", header, 70, datatype)
    struct.pack_into("<h", header, 72, bitpix)
    struct.pack_into("<8f", header, 76, 1.0, 1.5, 1.0, 2.5, 0, 0, 0, 0)
    struct.pack_into("<f", header, 108, 352.0)  # vox_offset
    struct.pack_into("<f", header, 112, 1.0)    # scl_slope
    struct.pack_into("<B", header, 123, 2)      # xyzt_units: mm
    struct.pack_into("<h", header, 252, 1)      # qform_code
    struct.pack_into("<h", header, 254, 1)      # sform_code
    struct.pack_into("<3f", header, 256, 0.0, 0.0, 1.0)  # quatern b, c, d: 180 deg about z
    struct.pack_into("<3f", header, 268, 10.0, -5.0, 3.0)  # qoffset (RAS)
    struct.pack_into("<4f", header, 280, -1.5, 0, 0, 10.0)
    struct.pack_into("<4f", header, 296, 0, -1.0, 0, -5.0)
    struct.pack_into("<4f", header, 312, 0, 0, 2.5, 3.0)
    header[344:348] = b"n+1\0"
    path.write_bytes(bytes(header) + b"\0\0\0\0" + struct.pack("<%d%s" % (len(values), fmt), *values))


def npy_bytes(values, descr, fmt):
    shape = "(%d, %d, %d)" % (SIZE[2], SIZE[1], SIZE[0])
    text = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    pad = 64 - (10 + len(text) + 1) % 64
    header = (text + " " * pad + "\n").encode("latin1")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + \
        struct.pack("<%d%s" % (len(values), fmt), *values)


def run(modir, *args):
    subprocess.run([modir, *map(str, args), "--quiet"], check=True, stdout=subprocess.DEVNULL)


def seed(target, name, source):
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    destination = folder / ("seed_" + name)
    if isinstance(source, (bytes, str)):
        destination.write_bytes(source if isinstance(source, bytes) else source.encode())
    else:
        shutil.copyfile(source, destination)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--modir", required=True)
    args = p.parse_args()
    modir = str(Path(args.modir).resolve())
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        ct, labels, ramp = work / "ct.nii", work / "labels.nii", work / "ramp.nii"
        write_nifti(ct, tiny_voxels(), 4, 16, "h")
        write_nifti(labels, tiny_voxels(label=True), 2, 8, "B")
        floats = [v / 7.0 for v in tiny_voxels()]
        floats[3] = float("nan")
        write_nifti(ramp, floats, 16, 32, "f")
        for name in (ct, labels, ramp):
            seed("image_nifti", name.name, name)
            for ext, target in ((".mha", "image_metaimage"), (".nrrd", "image_nrrd")):
                out = work / (name.stem + ext)
                run(modir, "convert", name, out, "--replace-nonfinite", "0")
                seed(target, out.name, out)
        npy = npy_bytes(tiny_voxels(), "<i2", "h")
        seed("image_npy", "ct.npy", npy)
        seed("image_npy", "labels.npy", npy_bytes(tiny_voxels(label=True), "|u1", "B"))
        npz = work / "ct.npz"
        with zipfile.ZipFile(npz, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("vol.npy", npy)
        seed("image_npz", "ct.npz", npz)
        with zipfile.ZipFile(work / "stored.npz", "w", zipfile.ZIP_STORED) as z:
            z.writestr("vol.npy", npy)
            z.writestr("seg.npy", npy_bytes(tiny_voxels(label=True), "|u1", "B"))
        seed("image_npz", "stored.npz", work / "stored.npz")

        dicom = work / "ct_dicom"
        run(modir, "convert", ct, dicom, "--dicom")
        for i, f in enumerate(sorted(dicom.glob("*.dcm"))[:2]):
            seed("dicom", "ct_%d.dcm" % i, f)
        rs = work / "rs.dcm"
        (work / "labels.json").write_text(json.dumps({"labels": [
            {"value": 1, "name": "Bladder", "color": [255, 255, 0], "interpreted_type": "ORGAN"}]}))
        run(modir, "convert", labels, rs, "--reference", dicom)
        seed("dicom", "rtstruct.dcm", rs)
        seed("label_names", "sidecar.json", (work / "labels.json").read_text())

        seed("points_csv", "points.csv", "id,x,y,z\n1,-10.5,3.25,7\n2,0,0,0\n3,1e3,-2.5e-1,4\n")
        seed("points_elastix", "points.txt", "point\n2\n-10.5 3.25 7\n0 0 0\n")
        seed("points_elastix", "index.txt", "index\n1\n2 3 1\n")
        seed("points_slicer", "points.mrk.json", json.dumps({
            "@schema": "https://raw.githubusercontent.com/slicer/slicer/master/Modules/Loadable/Markups/Resources/Schema/markups-schema-v1.0.3.json#",
            "markups": [{"type": "Fiducial", "coordinateSystem": "RAS", "controlPoints": [
                {"id": "1", "label": "F-1", "position": [10.5, -3.25, 7.0]},
                {"id": "2", "label": "F-2", "position": [0.0, 0.0, 0.0]}]}]}))
        seed("label_names", "meta.json", json.dumps(
            {"labels": {"1": "bladder", "2": "rectum", "3": "femoral_head_left"}}))

        seed("config", "empty.json", "{}\n")
        seed("config", "typical.json", json.dumps({
            "image": {"metric": "lncc", "weight": 1.0},
            "deformable": {"levels": 3, "iterations": [80, 50, 30], "grid_spacing_mm": 10.0},
            "regularity": {"bending_weight": 0.1, "jacobian_weight": 1.0},
            "guidance": {"label_weight": 1.0, "landmark_weight": 0.5}}, indent=1))

        seed("manifest", "manifest.csv",
             "patient_id,scan_id,image,labels\np1,s1,p1/s1.nii.gz,p1/s1_labels.nii.gz\n"
             "p1,s2,p1/s2.nii.gz,\np2,s1,/data/p2/s1.nii.gz,/data/p2/s1_labels.nii.gz\n")

        front_dir = work / "front"
        result = subprocess.run([modir, "register", "--fixed", ct, "--moving", ct, "--pareto", "2",
                                 "--out", front_dir, "--quiet"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        if result.returncode == 0 and (front_dir / "front.json").is_file():
            seed("front", "front.json", front_dir / "front.json")
        else:
            sys.exit("register --pareto on the tiny volume failed: " + result.stderr.strip())


if __name__ == "__main__":
    main()
