"""Third-party files served from docs/assets/vendor/ are exactly the npm release they name.

package.json pins the release and package-lock.json its checksum; `npm ci`
(scripts/setup) installs it into node_modules/, and the copy served to readers
must not differ by a byte, so nothing hand-edited or stale is published.
"""

from __future__ import annotations

import json

import pytest

from ..conftest import ROOT

VENDORED = {
    "docs/assets/vendor/qrcode-generator.js": ("qrcode-generator", "dist/qrcode.js"),
}


@pytest.mark.parametrize("served", sorted(VENDORED))
def test_vendored_file_is_the_pinned_npm_release(served: str) -> None:
    package, path = VENDORED[served]
    installed = ROOT / "node_modules" / package
    if not installed.is_dir():
        pytest.fail(f"node_modules/{package} is missing: run scripts/setup (npm ci)")
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"][package]
    assert json.loads((installed / "package.json").read_text())["version"] == pinned
    assert (ROOT / served).read_bytes() == (installed / path).read_bytes()
    licence = (ROOT / served).with_suffix(".LICENSE.txt").read_text()
    assert f"{package} {pinned}" in licence and "MIT License" in licence
