"""IC-12 (no duplicate observations): the recommendation's pairwise query vs. our one-pass check.

Run: .venv/bin/python bench/bench_integrity.py [N ...]   (default sizes 250 500 1000)

The cubes are SYNTHETIC (made-up codes and values) with three dimensions, like the real one.
Both checks run on the same pyoxigraph store in the same process; the output gives each time and
the ratio (pairwise / ours), so the numbers are comparable on a busy machine. The two checks must
agree: the synthetic cube has exactly one duplicated key.
"""

from __future__ import annotations

import sys
import time

import pyoxigraph as ox

from publisher.dataset.integrity import CONSTRAINTS, PREFIXES, _duplicates

W3C_IC12 = """SELECT DISTINCT ?obs1 WHERE {
  { SELECT ?obs1 ?obs2 (MIN(?equal) AS ?allEqual) WHERE {
      ?obs1 qb:dataSet ?dataset . ?obs2 qb:dataSet ?dataset . FILTER (?obs1 != ?obs2)
      ?dataset qb:structure/qb:component/qb:componentProperty ?dim . ?dim a qb:DimensionProperty .
      ?obs1 ?dim ?value1 . ?obs2 ?dim ?value2 . BIND (?value1 = ?value2 AS ?equal)
    } GROUP BY ?obs1 ?obs2 }
  FILTER (?allEqual)
}"""


def synthetic_cube(n: int) -> ox.Store:
    ttl = ["@prefix ex: <http://example.org/synthetic/> . @prefix qb: <http://purl.org/linked-data/cube#> .",
           "ex:dsd qb:component ex:ca , ex:cy , ex:ci . ex:ca qb:componentProperty ex:area . "
           "ex:cy qb:componentProperty ex:year . ex:ci qb:componentProperty ex:ind .",
           "ex:area a qb:DimensionProperty . ex:year a qb:DimensionProperty . ex:ind a qb:DimensionProperty .",
           "ex:ds qb:structure ex:dsd ."]
    for i in range(n):
        area, year = divmod(i, 30)
        ttl.append(f"ex:o{i} qb:dataSet ex:ds ; ex:area ex:a{area} ; ex:year {1990 + year} ; ex:ind ex:i1 ; "
                   f"ex:value {i % 97}.5 .")
    ttl.append("ex:dup qb:dataSet ex:ds ; ex:area ex:a0 ; ex:year 1990 ; ex:ind ex:i1 .")  # duplicates ex:o0
    store = ox.Store()
    store.load("\n".join(ttl).encode(), ox.RdfFormat.TURTLE)
    return store


def timed(f):
    start = time.perf_counter()
    result = f()
    return time.perf_counter() - start, result


def main(sizes: list[int]) -> None:
    ours_query = next(c.query for c in CONSTRAINTS if c.ident == "IC-12")
    print(f"{'observations':>12} {'pairwise s':>11} {'one-pass s':>11} {'ratio':>7}")
    for n in sizes:
        store = synthetic_cube(n)
        t_ours, found = timed(lambda store=store: _duplicates(store, ours_query))
        t_w3c, rows = timed(lambda store=store: sorted(str(r["obs1"]) for r in store.query(PREFIXES + W3C_IC12)))
        expected = ["<http://example.org/synthetic/dup>", "<http://example.org/synthetic/o0>"]
        assert rows == found == expected, (rows, found)
        print(f"{n + 1:>12} {t_w3c:>11.3f} {t_ours:>11.4f} {t_w3c / t_ours:>7.0f}x")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [250, 500, 1000])
