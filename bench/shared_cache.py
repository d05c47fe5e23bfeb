"""What the cache every worker shares costs: Salon's embedded default (diskcache, SQLite files
under SALON_CACHE_DIR) beside per-process memory (LocMemCache, the former default, which
could not hold a limit across workers) and Redis (the scaled setup).

Run: ``python bench/shared_cache.py [--ops 2000] [--processes 4]``. Prints figures; asserts
nothing.

For each backend, one process times, per operation (µs, median of 5 rounds of --ops each):
``get`` of a present key, ``get`` of a missing one, ``set`` of a small value, ``set`` of a
40 KB page (bytes), ``incr`` of a counter (what every rate-limited request does), and ``add``
(the flood guard's claim). Ratios are against LocMemCache (the anchor: the cheapest there is)
and against Redis. Then --processes processes increment one counter --ops times each, at
once, in each shared backend: the total must be processes × ops (atomic across processes).

Redis is read at 127.0.0.1:6379, database 15 (skipped if none answers).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SALON_DATA_DIR", tempfile.mkdtemp(prefix="salon-bench-cache-"))
os.environ.pop("SALON_REDIS_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "salon.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache.backends.locmem import LocMemCache  # noqa: E402
from django.core.cache.backends.redis import RedisCache  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

REDIS = "redis://127.0.0.1:6379/15"
PAGE = os.urandom(20 * 1024).hex().encode()  # 40 KB, a rendered page's size


def salon_cache():
    """A cache as Salon's settings make it (the embedded default)."""
    params = dict(settings.CACHES["default"])
    backend = import_string(params.pop("BACKEND"))
    return backend(params.pop("LOCATION"), params)


def backends() -> dict[str, object]:
    found = {"locmem": LocMemCache("bench", {}), "diskcache": salon_cache()}
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        found["redis"] = RedisCache(REDIS, {"KEY_PREFIX": "salon-bench"})
    except OSError:
        print("(no Redis at 127.0.0.1:6379: its column is left out)")
    return found


def per_op_us(operation, ops: int) -> float:
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for n in range(ops):
            operation(n)
        rounds.append((time.perf_counter() - start) / ops * 1e6)
    return statistics.median(rounds)


def measure(cache, ops: int) -> dict[str, float]:
    cache.clear()
    figures = {}
    cache.set("present", b"x" * 200, None)
    figures["get (hit)"] = per_op_us(lambda n: cache.get("present"), ops)
    figures["get (miss)"] = per_op_us(lambda n: cache.get("absent"), ops)
    figures["set 200 B"] = per_op_us(lambda n: cache.set(f"k{n % 200}", b"y" * 200, 60), ops)
    figures["set 40 KB page"] = per_op_us(lambda n: cache.set(f"p{n % 50}", PAGE, 60), ops // 5)
    cache.set("counter", 0, None)
    figures["incr"] = per_op_us(lambda n: cache.incr("counter"), ops)
    cache.clear()
    figures["add (claim)"] = per_op_us(lambda n: cache.add(f"a{n % 250}", 1, 15), ops)
    return figures


def _hammer(name: str, ops: int, ready, go) -> None:
    cache = (
        salon_cache() if name == "diskcache" else RedisCache(REDIS, {"KEY_PREFIX": "salon-bench"})
    )
    ready.wait()
    go.wait()
    for _ in range(ops):
        cache.incr("shared-counter")


def across_processes(name: str, cache, processes: int, ops: int) -> tuple[int, float]:
    cache.set("shared-counter", 0, None)
    ready = multiprocessing.Barrier(processes + 1)
    go = multiprocessing.Event()
    workers = [
        multiprocessing.Process(target=_hammer, args=(name, ops, ready, go))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    ready.wait()
    start = time.perf_counter()
    go.set()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    return cache.get("shared-counter"), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=4)
    args = parser.parse_args()

    caches = backends()
    figures = {name: measure(cache, args.ops) for name, cache in caches.items()}
    names = list(figures)
    header = f"{'µs per operation':<16}" + "".join(f"{name:>11}" for name in names)
    header += f"{'disk/locmem':>13}" + (f"{'disk/redis':>12}" if "redis" in figures else "")
    print(
        f"\nOne process, {args.ops} operations × 5 rounds (median); cache dir "
        f"{settings.CACHE_DIR}, {settings.CACHE_MB} MB limit"
    )
    print(header)
    for operation in figures["locmem"]:
        row = f"{operation:<16}" + "".join(f"{figures[n][operation]:>11.1f}" for n in names)
        disk = figures["diskcache"][operation]
        row += f"{disk / figures['locmem'][operation]:>12.1f}×"
        if "redis" in figures:
            row += f"{disk / figures['redis'][operation]:>11.2f}×"
        print(row)

    print(f"\n{args.processes} processes × {args.ops} incr of one counter, at once:")
    for name in [n for n in names if n != "locmem"]:
        total, elapsed = across_processes(name, caches[name], args.processes, args.ops)
        expected = args.processes * args.ops
        print(
            f"  {name:<10} counted {total} of {expected} "
            f"({'atomic' if total == expected else 'LOST INCREMENTS'}), "
            f"{expected / elapsed:,.0f} incr/s, {elapsed / expected * 1e6:.1f} µs each"
        )
    print("  locmem     (each process would count only its own: per worker, as before)")
    if "redis" in caches:
        caches["redis"].clear()


if __name__ == "__main__":
    main()
