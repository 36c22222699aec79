"""The hand-made shop most merchant tests read, and its answers worked out by hand.

Report week 2026-W47 (days 0..6 before END = Sun 2026-11-22), k = min_cell_size = 5.

| merchant | paid orders (days before END: buyers x amount) | status at END |
|---|---|---|
| A | one order a week at 60, 53, ..., 11 (buyer a0, ¥10); day 2: a0..a4 x ¥100 | active |
| B | day 1: b0, b1 x ¥50 (first ever) | new |
| H | day 40: h_old ¥30; day 2: h0..h5 x ¥50 | reactivated (33 days quiet at last week's end) |
| J | day 12: j_old ¥20; day 3: j0..j4 x ¥20 | active |
| C | day 40: c_a ¥30; day 20: c_b ¥30 | dormant, turned this week (13 days at last week's end) |
| D | day 25: d_a ¥30 | dormant (18 days at last week's end) |
| F | day 35: f_a ¥30 | churned, turned this week (28 at last week's end) |
| G | day 50: g_a ¥30 | churned |
| I | day 10: i_a ¥40 | quiet |
| (platform) | day 3: p0..p9 x ¥100 | |

This week: A 500 (5 buyers), H 300 (6), B 100 (2), J 100 (5); merchant GMV 1,000 of 2,000.
Gini over 100, 100, 300, 500: 2 (1x100 + 2x100 + 3x300 + 4x500) / (4 x 1,000) - 5/4 = 0.35.
Top 10 = all four: 1.0; top 20% = ceil(0.8) = 1 merchant: 500 / 1,000 = 0.5.
Tiers (50% / 30%): A head (0 before it), H waist (0.5 before), B tail (0.8), J tail (0.9).
Privacy: B has 2 buyers (hidden); the tail's GMV share is shown, so J, the tail's other merchant,
is hidden with it; A and H are shown.
Last week (W46): A ¥10, J ¥20, I ¥40 (one buyer each): tiers I head, J waist (40/70 before it),
A tail (60/70).
"""

from __future__ import annotations

from merchants.shop import Shop, people

K = 5


def canonical(merchants: list[dict] | None = None) -> Shop:
    s = Shop(merchants=merchants)
    s.sell(None, 3, people("p", 10), 100)
    for d in range(60, 10, -7):
        s.sell("A", d, ["a0"], 10)
    s.sell("A", 2, people("a", 5), 100)
    s.sell("B", 1, people("b", 2), 50)
    s.sell("H", 40, ["h_old"], 30).sell("H", 2, people("h", 6), 50)
    s.sell("J", 12, ["j_old"], 20).sell("J", 3, people("j", 5), 20)
    s.sell("C", 40, ["c_a"], 30).sell("C", 20, ["c_b"], 30)
    s.sell("D", 25, ["d_a"], 30)
    s.sell("F", 35, ["f_a"], 30)
    s.sell("G", 50, ["g_a"], 30)
    s.sell("I", 10, ["i_a"], 40)
    s.sell("A", 5, ["x_refund"], 999, status="refunded")  # not paid: counts nowhere
    return s


STATUSES = {"A": ("active", None), "B": ("new", None), "H": ("reactivated", None), "J": ("active", None),
            "C": ("dormant", "dormant"), "D": ("dormant", None), "F": ("churned", "churned"),
            "G": ("churned", None), "I": ("quiet", None)}

# A chain: A recruits H, H recruits J (levels 1, 2, 3); everyone else is level 1.
CHAIN = [{"merchant_id": m, "kind": kind, "parent_id": parent, "joined_at": joined, "name": name}
         for m, kind, parent, joined, name in [
             ("A", "distributor", None, "2026-08-01 10:00:00", "Ann's <b>shop</b>"),
             ("H", "distributor", "A", "2026-10-01 10:00:00", "H & co"),
             ("J", "kol", "H", "2026-11-17 10:00:00", "J"),
             ("B", "store", None, "2026-11-18 10:00:00", None),
             ("C", "group_leader", None, None, None), ("D", "group_leader", None, None, None),
             ("F", "other", None, None, None), ("G", "store", None, None, None),
             ("I", "kol", None, None, None)]]
