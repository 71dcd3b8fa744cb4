"""Compares two junit-xml runs of requests' test suite (real requests, then
hsession as requests): prints the counts, writes the public-API tests that
pass on requests but not on hsession, and exits 1 below the minimum share."""

import os
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    out = {}
    if not os.path.exists(path):
        return out  # the run ended before pytest wrote it: nothing passed
    for case in ET.parse(path).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        out[test_id] = kinds[0] if kinds else "passed"
    return out


def public_api(test_id):
    # test_requests.py, test_lowlevel.py and test_structures.py's CaseInsensitiveDict.
    return (test_id.startswith(("tests.test_requests", "tests.test_lowlevel"))
            or test_id.startswith("tests.test_structures.TestCaseInsensitiveDict"))


def main():
    real, ours, minimum, failing_path = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    real, ours = outcomes(real), outcomes(ours)
    passing = [t for t, kind in real.items() if kind == "passed"]
    both = [t for t in passing if ours.get(t) == "passed"]
    subset = [t for t in passing if public_api(t)]
    subset_both = [t for t in subset if ours.get(t) == "passed"]
    with open(failing_path, "w") as f:
        for t in subset:
            if ours.get(t) != "passed":
                f.write(f"{t}\t{ours.get(t, 'not collected')}\n")
    share = 100.0 * len(subset_both) / max(1, len(subset))
    print(f"requests' suite: {len(passing)} tests pass on real requests; hsession passes {len(both)} "
          f"({100.0 * len(both) / max(1, len(passing)):.1f}%)")
    print(f"public-API subset: {len(subset)} pass on real requests; hsession passes {len(subset_both)} "
          f"({share:.1f}%, minimum {minimum:g}%); the others are listed in {failing_path}")
    if share < minimum:
        sys.exit(1)


if __name__ == "__main__":
    main()
