"""Minimal NIfTI-1 reading and header editing in pure Python (standard library only).

Enough for bench/peers: read scalar and 3-component vector images (.nii or .nii.gz) as written by
ITK-based tools (modir, elastix, plastimatch), map voxel indices to world LPS millimetres, and write
a copy of an image whose origin is moved by a known LPS shift (the translation test of
`run_peers.py --verify-conventions`).

World frame: NIfTI headers are RAS; like ITK, this module reports LPS (x and y negated).
Vector components are returned exactly as stored (ITK stores LPS components in NIfTI).
"""
import array
import gzip
import struct
import sys

_DTYPES = {  # NIfTI datatype code -> array typecode
    2: "B",   # uint8
    4: "h",   # int16
    8: "i",   # int32
    16: "f",  # float32
    64: "d",  # float64
    256: "b",  # int8
    512: "H",  # uint16
    768: "I",  # uint32
}


def _open(path, mode="rb"):
    return gzip.open(path, mode) if path.endswith(".gz") else open(path, mode)


def _mat_vec(m, v):
    return [sum(m[r][c] * v[c] for c in range(3)) for r in range(3)]


def _inverse3(m):
    a, b, c = m[0]
    d, e, f = m[1]
    g, h, i = m[2]
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    if abs(det) < 1e-12:
        raise ValueError("singular voxel-to-world matrix")
    return [[(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
            [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
            [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det]]


class Volume:
    """An image: size (nx, ny, nz), components, voxel-to-world LPS matrix and flat data.

    Voxel (i, j, k), component c is data[c * nvox + i + nx * (j + ny * k)].
    """

    def __init__(self, header, size, ncomp, linear, offset, data, path=""):
        self.header = header          # raw 348-byte header (bytes)
        self.size = size              # (nx, ny, nz)
        self.ncomp = ncomp
        self.linear = linear          # 3x3: index -> LPS mm (direction * diag(spacing))
        self.offset = offset          # LPS mm of voxel (0, 0, 0)
        self.data = data              # array.array (or list) of numbers
        self.path = path
        self._inv = _inverse3(linear)

    @property
    def nvox(self):
        return self.size[0] * self.size[1] * self.size[2]

    @property
    def spacing(self):
        return tuple(sum(self.linear[r][c] ** 2 for r in range(3)) ** 0.5 for c in range(3))

    def index_to_world(self, ijk):
        w = _mat_vec(self.linear, ijk)
        return [w[r] + self.offset[r] for r in range(3)]

    def world_to_index(self, xyz):
        return _mat_vec(self._inv, [xyz[r] - self.offset[r] for r in range(3)])

    def flat(self, i, j, k):
        return i + self.size[0] * (j + self.size[1] * k)

    def voxel(self, i, j, k, c=0):
        return self.data[c * self.nvox + self.flat(i, j, k)]

    def vector(self, i, j, k):
        n = self.nvox
        f = self.flat(i, j, k)
        return [self.data[c * n + f] for c in range(self.ncomp)]

    def sample_vector(self, xyz):
        """Trilinear interpolation of every component at world point xyz (LPS mm); None outside."""
        p = self.world_to_index(xyz)
        base = []
        for a in range(3):
            if p[a] < -1e-6 or p[a] > self.size[a] - 1 + 1e-6:
                return None
            b = min(max(int(p[a]), 0), max(self.size[a] - 2, 0))
            base.append(b)
        frac = [min(max(p[a] - base[a], 0.0), 1.0) for a in range(3)]
        out = [0.0] * self.ncomp
        for dz in (0, 1):
            wz = frac[2] if dz else 1 - frac[2]
            for dy in (0, 1):
                wy = frac[1] if dy else 1 - frac[1]
                for dx in (0, 1):
                    wx = frac[0] if dx else 1 - frac[0]
                    w = wx * wy * wz
                    if w == 0.0:
                        continue
                    i = min(base[0] + dx, self.size[0] - 1)
                    j = min(base[1] + dy, self.size[1] - 1)
                    k = min(base[2] + dz, self.size[2] - 1)
                    v = self.vector(i, j, k)
                    for c in range(self.ncomp):
                        out[c] += w * v[c]
        return out

    def same_grid(self, other, tol=1e-3):
        if tuple(self.size) != tuple(other.size):
            return False
        for r in range(3):
            if abs(self.offset[r] - other.offset[r]) > tol:
                return False
            for c in range(3):
                if abs(self.linear[r][c] - other.linear[r][c]) > tol:
                    return False
        return True


def _quatern_matrix(b, c, d, qfac):
    a = 1.0 - (b * b + c * c + d * d)
    a = a ** 0.5 if a > 1e-7 else 0.0
    r = [[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
         [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
         [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]]
    if qfac < 0:
        for row in r:
            row[2] = -row[2]
    return r


def _parse_header(hdr):
    if len(hdr) < 348:
        raise ValueError("short NIfTI header")
    endian = "<"
    if struct.unpack("<i", hdr[0:4])[0] != 348:
        endian = ">"
        if struct.unpack(">i", hdr[0:4])[0] != 348:
            raise ValueError("not a NIfTI-1 file")
    u = lambda fmt, off: struct.unpack(endian + fmt, hdr[off:off + struct.calcsize(fmt)])
    dim = u("8h", 40)
    datatype = u("h", 70)[0]
    pixdim = u("8f", 76)
    vox_offset = u("f", 108)[0]
    slope, inter = u("2f", 112)
    qform_code, sform_code = u("2h", 252)
    qb, qc, qd, qx, qy, qz = u("6f", 256)
    srow = [u("4f", 280), u("4f", 296), u("4f", 312)]
    ndim = dim[0]
    size = tuple(dim[i] if ndim >= i and dim[i] > 0 else 1 for i in (1, 2, 3))
    ncomp = 1
    if ndim >= 5:
        ncomp = dim[5] if dim[5] > 0 else 1
        if ndim >= 4 and dim[4] > 1:
            raise ValueError("4D time series are not supported")
    if sform_code > 0:
        ras = [[srow[r][c] for c in range(3)] for r in range(3)]
        ras_off = [srow[r][3] for r in range(3)]
    else:
        qfac = -1.0 if pixdim[0] < 0 else 1.0
        rot = _quatern_matrix(qb, qc, qd, qfac)
        sp = [pixdim[1], pixdim[2], pixdim[3]]
        ras = [[rot[r][c] * sp[c] for c in range(3)] for r in range(3)]
        ras_off = [qx, qy, qz]
        if qform_code == 0:
            ras = [[sp[c] if r == c else 0.0 for c in range(3)] for r in range(3)]
            ras_off = [0.0, 0.0, 0.0]
    lps = [[-ras[0][c] for c in range(3)], [-ras[1][c] for c in range(3)], list(ras[2])]
    lps_off = [-ras_off[0], -ras_off[1], ras_off[2]]
    return dict(endian=endian, size=size, ncomp=ncomp, datatype=datatype, vox_offset=int(vox_offset),
                slope=slope, inter=inter, linear=lps, offset=lps_off)


def read_header(path):
    with _open(path) as f:
        hdr = f.read(348)
    h = _parse_header(hdr)
    return Volume(hdr, h["size"], h["ncomp"], h["linear"], h["offset"], None, path)


def read(path):
    """Reads a NIfTI-1 image; returns a Volume with data as array.array (scaled to float if needed)."""
    with _open(path) as f:
        raw = f.read()
    h = _parse_header(raw[:348])
    code = _DTYPES.get(h["datatype"])
    if code is None:
        raise ValueError(f"{path}: unsupported NIfTI datatype {h['datatype']}")
    n = h["size"][0] * h["size"][1] * h["size"][2] * h["ncomp"]
    data = array.array(code)
    start = max(h["vox_offset"], 352)
    data.frombytes(raw[start:start + n * data.itemsize])
    if len(data) != n:
        raise ValueError(f"{path}: truncated data ({len(data)} of {n} values)")
    if (h["endian"] == ">") != (sys.byteorder == "big"):
        data.byteswap()
    if h["slope"] not in (0.0, 1.0) or h["inter"] != 0.0:
        s = h["slope"] if h["slope"] != 0.0 else 1.0
        data = array.array("f", (v * s + h["inter"] for v in data))
    return Volume(raw[:348], h["size"], h["ncomp"], h["linear"], h["offset"], data, path)


def write_shifted(src, dst, shift_lps):
    """Copies NIfTI `src` to `dst` with its origin moved by shift_lps (LPS mm), data untouched.

    Both the qform offset and the sform translation are moved (RAS: x and y negated), so any
    reader sees the same image content displaced by shift_lps in the world.
    """
    with _open(src) as f:
        raw = bytearray(f.read())
    h = _parse_header(bytes(raw[:348]))
    e = h["endian"]
    ras_shift = [-shift_lps[0], -shift_lps[1], shift_lps[2]]
    for r in range(3):
        off = 268 + 4 * r  # qoffset_x, y, z
        struct.pack_into(e + "f", raw, off, struct.unpack_from(e + "f", raw, off)[0] + ras_shift[r])
        off = 280 + 16 * r + 12  # srow_x[3], srow_y[3], srow_z[3]
        struct.pack_into(e + "f", raw, off, struct.unpack_from(e + "f", raw, off)[0] + ras_shift[r])
    with _open(dst, "wb") as f:
        f.write(bytes(raw))


def write_vector_like(template_path, dst, data):
    """Writes float32 `data` (component-major, as Volume.data) with the header of template_path.

    Used only when a peer's field needs its components changed; the geometry is kept as is.
    """
    with _open(template_path) as f:
        hdr = bytearray(f.read(348))
    h = _parse_header(bytes(hdr))
    e = h["endian"]
    struct.pack_into(e + "h", hdr, 70, 16)        # datatype float32
    struct.pack_into(e + "h", hdr, 72, 32)        # bitpix
    struct.pack_into(e + "f", hdr, 108, 352.0)    # vox_offset
    struct.pack_into(e + "2f", hdr, 112, 1.0, 0.0)  # scl_slope, scl_inter
    out = array.array("f", data)
    if (e == ">") != (sys.byteorder == "big"):
        out.byteswap()
    with _open(dst, "wb") as f:
        f.write(bytes(hdr))
        f.write(b"\0\0\0\0")
        f.write(out.tobytes())
