"""Where a run's code comes from: the work tree or a `git archive` of a revision, its commit, and where dotnet keeps
the build output."""

import hashlib
import os
import subprocess

from harness.procs import Failure

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(BENCH)
ARTIFACTS_CACHE = "/var/tmp/storefront-bench"


def tree(ref, tmp, log):
    """The work tree, or (with a revision) that revision extracted into tmp/src."""
    if not ref:
        return REPO
    src = os.path.join(tmp, "src")
    os.makedirs(src)
    archive = subprocess.run(["git", "-C", REPO, "archive", ref], capture_output=True, check=False)
    if archive.returncode != 0:
        raise Failure(f"could not archive {ref}: {archive.stderr.decode(errors='replace')}")
    subprocess.run(["tar", "-x", "-C", src], input=archive.stdout, check=True)
    log(f"building from {ref} ({commit_of(ref)})")
    return src


def artifacts_dir(ref, tmp):
    """Where dotnet keeps bin/obj. For the work tree, a cache outside the repo kept between runs (one per
    work tree): an incremental build takes seconds where a cold one takes a minute or more, which a
    quick run cannot spare. A revision's build starts cold in the temp dir."""
    if ref:
        return os.path.join(tmp, "artifacts")
    key = hashlib.sha1(REPO.encode()).hexdigest()[:12]
    return os.path.join(ARTIFACTS_CACHE, key)


def commit_of(ref):
    out = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", ref], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def commit_text(ref):
    """The commit measured; a work tree with changes in src/ or bench/ says so."""
    text = commit_of(ref or "HEAD")
    if not ref:
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "src", "bench"],
                               capture_output=True, text=True).stdout.strip()
        if dirty:
            text += " + uncommitted changes in src/ or bench/"
    return text
