"""The "double random" draw (双随机), pure: no Django.

Targets are drawn without replacement from the pool, then for each target a set of
distinct officers; an officer may serve several targets but never twice on one. The
inputs are sorted first and the generator is `random.Random(seed)`, so the same pool,
officers and seed always give the same draw: anyone can re-run it to audit a plan.
"""

from __future__ import annotations

import random
from collections.abc import Iterable


class DrawError(ValueError):
    def __init__(self, code: str, **params: int) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def draw(
    pool: Iterable[int], officers: Iterable[int], n: int, per_target: int, seed: int
) -> list[tuple[int, list[int]]]:
    """[(target id, [officer ids])] for `n` targets with `per_target` officers each."""
    targets = sorted(set(pool))
    people = sorted(set(officers))
    if per_target < 2:
        raise DrawError("per_target", need=2)
    if n < 1:
        raise DrawError("count")
    if n > len(targets):
        raise DrawError("pool", need=n, have=len(targets))
    if per_target > len(people):
        raise DrawError("officers", need=per_target, have=len(people))
    rng = random.Random(seed)
    chosen = rng.sample(targets, n)
    return [(target, sorted(rng.sample(people, per_target))) for target in chosen]
