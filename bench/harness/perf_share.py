"""The share of a process's CPU samples spent in some code: `perf script` output on stdin, one regular expression.

    perf script -i perf.data | python3 bench/harness/perf_share.py 'Storefront\\.Api\\.Dashboard\\.'

A sample counts once if any frame of its stack matches, so nested frames are not counted twice. Prints one JSON
line: the samples, the matching ones, and the matching samples by the matching frame nearest the leaf (its type and
method, without the signature), largest first. Frames of JIT-compiled .NET code are named only when the process ran
with DOTNET_PerfMapEnabled=1 (and DOTNET_EnableWriteXorExecute=0, or perf sees the code as an anonymous file).
"""

import collections
import json
import re
import sys


def samples(lines):
    """Yields each sample's frames (symbol text), leaf first."""
    frames = None
    for line in lines:
        if not line.strip():
            if frames is not None:
                yield frames
            frames = None
        elif line[0] not in " \t":
            frames = []  # The sample's header line: command, pid, time, event.
        elif frames is not None:
            # "\t    7f59a1b2c3d4 instance void [Asm] Ns.Type::Method(args)[OptimizedTier1] ([JIT] tid 123)"
            parts = line.strip().split(" ", 1)
            frames.append(parts[1] if len(parts) > 1 else parts[0])
    if frames is not None:
        yield frames


def name(frame):
    """'instance void [Asm] Ns.Type`1[T]+<M>d__1::MoveNext()[Tier1] (dso)' → 'Ns.Type+<M>d__1::MoveNext'."""
    match = re.search(r"([\w.`+<>|$\[\],]+::[\w.`<>|$]+)\(", frame)
    # Generic arity and instantiation ("`1[System.__Canon]") dropped: shorter, and no backtick to break Markdown.
    return re.sub(r"`\d+(\[[^\]]*\])?", "", match.group(1) if match else frame.split(" (")[0][:120])


def share(lines, pattern):
    """{samples, matching, frames: [[frame, samples], ...]} of `perf script` output lines for a regular expression."""
    pattern = re.compile(pattern)
    total = 0
    by_frame = collections.Counter()
    for frames in samples(lines):
        total += 1
        hit = next((f for f in frames if pattern.search(f)), None)
        if hit is not None:
            by_frame[name(hit)] += 1
    return {"samples": total, "matching": sum(by_frame.values()),
            "frames": [list(kv) for kv in by_frame.most_common(8)]}


def main():
    print(json.dumps(share(sys.stdin, sys.argv[1])))


if __name__ == "__main__":
    main()
