"""FAISS anchor for bench/pdq-index.bench.ts: the same 256-bit hashes and queries, range search at the
same threshold, one thread, answering the bench's commands one JSON line at a time so that its runs
interleave with Warden's in the same bench run.

Run by the bench as `python3 pdq-faiss.py HASHES QUERIES THRESHOLD` (raw files, 32 bytes per hash).
FAISS comes from Debian (`apt-get install python3-faiss`); nothing here is built by the project.

The multi-hash index is set up as HMA sets it up (python-threatexchange's PDQMultiHashIndex):
16 tables of 16 bits, nflip = threshold // 16, and a range search radius of threshold + 1 because FAISS
keeps distances strictly below the radius.
"""

import json
import sys
import time

import faiss
import numpy as np

BITS = 256


def load(path):
    return np.fromfile(path, dtype=np.uint8).reshape(-1, BITS // 8)


def answer(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    hashes_path, queries_path, threshold = sys.argv[1], sys.argv[2], int(sys.argv[3])
    faiss.omp_set_num_threads(1)
    hashes = load(hashes_path)
    queries = load(queries_path)
    radius = threshold + 1

    indexes = {}
    build = {}
    started = time.perf_counter()
    multi = faiss.IndexBinaryMultiHash(BITS, 16, BITS // 16)
    multi.nflip = threshold // 16
    multi.add(hashes)
    build["multihash"] = time.perf_counter() - started
    indexes["multihash"] = multi
    started = time.perf_counter()
    flat = faiss.IndexBinaryFlat(BITS)
    flat.add(hashes)
    build["flat"] = time.perf_counter() - started
    indexes["flat"] = flat
    answer({"ready": True, "version": faiss.__version__, "build": build})

    for line in sys.stdin:
        command = json.loads(line)
        index = indexes[command["index"]]
        count = command["count"]
        chosen = queries[:count]
        results = []
        if command["mode"] == "single":
            times = []
            for row in range(count):
                query = chosen[row : row + 1]
                started = time.perf_counter()
                limits, _, ids = index.range_search(query, radius)
                times.append((time.perf_counter() - started) * 1000)
                results.append(sorted(int(i) for i in ids[limits[0] : limits[1]]))
        else:
            started = time.perf_counter()
            limits, _, ids = index.range_search(chosen, radius)
            times = [(time.perf_counter() - started) * 1000]
            for row in range(count):
                results.append(sorted(int(i) for i in ids[limits[row] : limits[row + 1]]))
        answer({"times": times, "results": results if command.get("results") else None})


if __name__ == "__main__":
    main()
