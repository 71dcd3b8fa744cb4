"""Where the package finds libhsession (hsession/_lib.py): HSESSION_LIB when
set, else the copy bundled in the package, else (in a source checkout) the
project's build, else the installed libhsession.so.0; a failure names only
the places that apply. Each case imports a copy of the package in a fresh
interpreter outside the checkout."""

import os
import shutil
import subprocess
import sys

import pytest

import hsession

PKG = os.path.dirname(os.path.abspath(hsession.__file__))
BUILT = os.path.normpath(os.path.join(PKG, "..", "..", "..", "target", "release", "libhsession.so"))


def _copy_package(tmp_path, bundle):
    dst = tmp_path / "site" / "hsession"
    shutil.copytree(PKG, dst, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    if bundle:
        shutil.copy(BUILT, dst / "libhsession.so")
    return dst.parent


def _import(site, env_lib=None, ld_path=None):
    env = {k: v for k, v in os.environ.items() if k not in ("HSESSION_LIB", "LD_LIBRARY_PATH")}
    env["PYTHONPATH"] = str(site)
    if ld_path is not None:
        env["LD_LIBRARY_PATH"] = ld_path
    if env_lib is not None:
        env["HSESSION_LIB"] = env_lib
    code = "import hsession, hsession._lib as l; print(l.lib._name); print(hsession.library_version)"
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=str(site), capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def need_build():
    if not os.path.exists(BUILT):
        pytest.skip("needs target/release/libhsession.so")


def _system_has_library():
    # In a fresh process: this one already holds the soname (from the build).
    env = {k: v for k, v in os.environ.items() if k not in ("HSESSION_LIB", "LD_LIBRARY_PATH")}
    r = subprocess.run([sys.executable, "-c", "import ctypes; ctypes.CDLL('libhsession.so.0')"], env=env,
                       capture_output=True, timeout=60)
    return r.returncode == 0


def test_bundled_copy_is_used(tmp_path, need_build):
    site = _copy_package(tmp_path, bundle=True)
    r = _import(site)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == str(site / "hsession" / "libhsession.so")


def test_hsession_lib_overrides_the_bundled_copy(tmp_path, need_build):
    site = _copy_package(tmp_path, bundle=True)
    r = _import(site, env_lib=BUILT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == BUILT


def test_bad_hsession_lib_names_only_itself(tmp_path, need_build):
    site = _copy_package(tmp_path, bundle=True)
    r = _import(site, env_lib=str(tmp_path / "missing.so"))
    assert r.returncode != 0
    last = r.stderr.strip().splitlines()[-1]
    assert "HSESSION_LIB" in last and str(tmp_path / "missing.so") in last
    assert "target/release" not in last and "libhsession.so.0" not in last


def test_unbundled_install_names_the_installed_library(tmp_path):
    if _system_has_library():
        pytest.skip("libhsession.so.0 is installed system-wide on this machine")
    site = _copy_package(tmp_path, bundle=False)
    r = _import(site)
    assert r.returncode != 0
    last = r.stderr.strip().splitlines()[-1]
    assert "libhsession.so.0" in last and "make install" in last
    # Outside a checkout there is no project build to point to.
    assert "target/release" not in last and "cargo build" not in last


def test_unbundled_install_loads_the_installed_library(tmp_path, need_build):
    # target/release holds the soname link, as an install's lib directory does.
    site = _copy_package(tmp_path, bundle=False)
    r = _import(site, ld_path=os.path.dirname(BUILT))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "libhsession.so.0"
