"""axe-core, the accessibility rules engine, from the npm registry: fetched once, checked against the
registry's published integrity, kept in .cache/axe-core/ (gitignored), and run inside a page.

The site's Content-Security-Policy forbids inline scripts, so axe is injected into browser contexts made
with bypass_csp=True, used for the accessibility runs only.
"""

import base64
import hashlib
import io
import json
import tarfile
import urllib.request
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
# dist.integrity of https://registry.npmjs.org/axe-core/4.14.1
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "axe-core" / AXE_VERSION / "axe.min.js"
# WCAG 2.1 level A and AA.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")


def integrity_of(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def axe_source():
    """The text of axe.min.js, from the cache or else the registry (then cached)."""
    if CACHE.exists():
        return CACHE.read_text(encoding="utf-8")
    with urllib.request.urlopen(AXE_TARBALL, timeout=60) as answer:  # nosec B310: a fixed https URL
        tarball = answer.read()
    found = integrity_of(tarball)
    assert found == AXE_INTEGRITY, f"axe-core {AXE_VERSION} tarball integrity {found}, expected {AXE_INTEGRITY}"
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        source = archive.extractfile("package/axe.min.js").read().decode("utf-8")
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    partial = CACHE.with_suffix(".partial")
    partial.write_text(source, encoding="utf-8")
    partial.replace(CACHE)
    return source


def run_axe(page, source, *, least_passes=10):
    """axe's results for the page as it is now, WCAG 2.1 A and AA rules only."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    results = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
                            "['violations']})", WCAG_21_AA)
    # Proof that the rules ran on this page, not on an empty one.
    assert results["testEngine"]["version"] == AXE_VERSION, results["testEngine"]
    assert len(results["passes"]) >= least_passes, f"axe passed only {len(results['passes'])} rules on {page.url}"
    return results


def describe(violation):
    nodes = "; ".join(" ".join(map(str, node["target"])) + " (" + (node.get("failureSummary") or "").strip()
                      .replace("\n", " ") + ")" for node in violation["nodes"][:5])
    more = f" and {len(violation['nodes']) - 5} more" if len(violation["nodes"]) > 5 else ""
    return f"[{violation['impact']}] {violation['id']}: {violation['help']}: {nodes}{more}"


def dump(results):
    return json.dumps(results, indent=1)[:4000]
