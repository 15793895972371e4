"""Images cross between numpy and modir with their geometry, without silent changes."""

import numpy as np
import pytest

import modir


def oblique_image(dtype=np.float32):
    angle = np.deg2rad(20)
    direction = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0],
                          [0, 0, 1]])
    array = np.arange(4 * 5 * 6, dtype=dtype).reshape(4, 5, 6)  # [z, y, x]
    return modir.Image(array, spacing=(0.8, 0.9, 2.5), origin=(-10.0, 20.0, 30.5),
                       direction=direction)


@pytest.mark.parametrize("suffix", [".nii.gz", ".mha", ".nrrd"])
@pytest.mark.parametrize("dtype", [np.int16, np.uint16, np.float32])
def test_write_then_read_keeps_voxels_and_geometry(tmp_path, suffix, dtype):
    image = oblique_image(dtype)
    modir.write_image(image, tmp_path / f"image{suffix}")
    back = modir.read_image(tmp_path / f"image{suffix}")
    assert back.array.dtype == dtype
    assert back.array.shape == (4, 5, 6)
    np.testing.assert_array_equal(back.array, image.array)
    assert back.same_grid(image)
    # The voxel at index (x, y, z) = (5, 0, 0) lies where origin + direction @ (spacing * index).
    np.testing.assert_allclose(back.index_to_world([5, 0, 0]),
                               np.array(image.origin) + image.direction @ [5 * 0.8, 0, 0],
                               atol=1e-5)


def test_arrays_modir_makes_are_not_copied(pair_dir):
    image = modir.read_image(pair_dir / "fixed.nii.gz")
    assert not image.array.flags.owndata  # the array reads the C++ buffer in place
    assert image.array.flags.c_contiguous
    assert image.size == (96, 96, 48) and image.array.shape == (48, 96, 96)


def test_nan_voxels_are_refused_unless_replaced(tmp_path):
    image = oblique_image()
    image.array[1, 2, 3] = np.nan
    modir.write_image(image, tmp_path / "nan.nii.gz")  # written as they are
    with pytest.raises(modir.DataError, match="(?i)nan|non-finite"):
        modir.read_image(tmp_path / "nan.nii.gz")
    replaced = modir.read_image(tmp_path / "nan.nii.gz", replace_nonfinite=-1000)
    assert replaced.array[1, 2, 3] == -1000


def test_displacement_round_trip(tmp_path, pair_dir):
    field = modir.read_displacement(pair_dir / "gt_displacement.nii.gz")
    assert field.array.shape == (48, 96, 96, 3) and field.array.dtype == np.float32
    modir.write_displacement(field, tmp_path / "u.nii.gz")
    np.testing.assert_array_equal(modir.read_displacement(tmp_path / "u.nii.gz").array,
                                  field.array)


def test_bad_input_is_a_clear_error(tmp_path):
    with pytest.raises(modir.DataError, match="missing.nii.gz"):
        modir.read_image(tmp_path / "missing.nii.gz")
    with pytest.raises(modir.DataError, match="2D array"):
        modir.write_image(modir.Image(np.zeros((4, 4), np.float32)), tmp_path / "flat.nii.gz")
    with pytest.raises(modir.DataError, match="spacing"):
        modir.write_image(modir.Image(np.zeros((2, 2, 2), np.float32), spacing=(1, 0, 1)),
                          tmp_path / "zero.nii.gz")
    with pytest.raises(modir.DataError, match="dtype"):
        modir.write_image(modir.Image(np.zeros((2, 2, 2), np.complex64)), tmp_path / "c.nii.gz")
    assert not any(tmp_path.iterdir())


def test_labels_follow_the_command_lines_rule(tmp_path):
    fractional = modir.Image(np.full((2, 2, 2), 1.5, np.float32))
    modir.write_image(fractional, tmp_path / "fractional.nii.gz")
    with pytest.raises(modir.DataError):
        modir.read_labels(tmp_path / "fractional.nii.gz")


def spin_count_when_imported(environment):
    """libgomp's spin count, as it prints it, in a fresh Python that imports modir."""
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env.update(environment, OMP_DISPLAY_ENV="verbose")
    err = subprocess.run([sys.executable, "-c", "import modir"], env=env, check=True,
                         capture_output=True, text=True).stderr
    return err.rsplit("GOMP_SPINCOUNT = '", 1)[1].split("'")[0]


def test_openmp_threads_wait_passively_unless_the_user_chose_a_policy():
    # Spinning threads starve other programs on the same cores; a policy the user set is kept.
    assert spin_count_when_imported({}) == "0"
    assert spin_count_when_imported({"OMP_WAIT_POLICY": "ACTIVE"}) != "0"
