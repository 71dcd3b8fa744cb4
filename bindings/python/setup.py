"""Builds a platform wheel with libhsession inside the package.

The library comes from, in order: hsession/libhsession.so already in place
(`make wheel` strips and copies the release build there); the Rust sources
of an sdist (rust/) or of the source checkout this directory sits in, built
with `cargo build --release`. The wheel is tagged py3-none-<platform>: the
package is pure Python over ctypes, so one wheel serves every CPython 3,
but the library ties it to one platform.
"""

import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(HERE, "hsession", "libhsession.so")


def _crate_dir():
    for d in (os.path.join(HERE, "rust"), os.path.normpath(os.path.join(HERE, "..", ".."))):
        if os.path.isfile(os.path.join(d, "Cargo.toml")) and os.path.isdir(os.path.join(d, "src", "ffi")):
            return d
    return None


class BuildWithLibrary(build_py):
    """Copies the package; builds the library into it when none was staged
    (into the build directory, never into the source tree, where a stale
    copy would shadow later builds)."""

    def run(self):
        super().run()
        if os.path.exists(LIB):
            return  # staged: package-data copied it
        crate = _crate_dir()
        if crate is None or shutil.which("cargo") is None:
            raise SystemExit("hsession: no libhsession.so to bundle and no way to build it: building "
                             "from source needs Rust (cargo, https://rustup.rs) and the sdist's rust/ "
                             "directory")
        target = os.path.abspath(os.environ.get("CARGO_TARGET_DIR", os.path.join(crate, "target")))
        subprocess.check_call(["cargo", "build", "--release", "--locked", "--lib", "-p", "hsession",
                               "--manifest-path", os.path.join(crate, "Cargo.toml"), "--target-dir", target])
        built = os.path.join(target, "release", "libhsession.so")
        dest = os.path.join(self.build_lib, "hsession", "libhsession.so")
        strip = shutil.which("strip")
        if strip:
            subprocess.check_call([strip, "--strip-debug", "--strip-unneeded", "-o", dest, built])
        else:
            shutil.copy(built, dest)


class PlatformWheel(bdist_wheel):
    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        _, _, plat = super().get_tag()
        return "py3", "none", plat


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel})
