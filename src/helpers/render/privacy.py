"""Small-cell suppression: no breakdown cell describes fewer than k users, directly or by subtraction.

Primary suppression: a count of 1 to k-1 users is hidden (tables show "<k"), with every statistic
computed from those users (a share, a rate, a mean, a median). A count of 0 is shown: it describes
nobody.

Complementary suppression: when cells add up to totals the reader can see (a total row, shares,
which give the total away, the margins of a crosstab, the same total shown elsewhere in the
report), a hidden cell could be worked out from the shown cells and the totals. `protect` (the one
implementation) checks exactly that, by linear algebra, and hides the smallest shown non-zero cell
sharing a total with a recoverable one until no hidden cell can be recovered; for a single total
this is "a lone hidden cell takes the next-smallest with it" (`complementary`). Every table with a
total or shares goes through `suppress_counts(..., totals=...)`, matrices through
`suppress_matrix(..., margins=True)`; charts, which cannot draw "<k", keep only the rows
`large_only` leaves.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

_TOL = 1e-9


def small(counts: pd.Series | pd.DataFrame, k: int) -> pd.Series | pd.DataFrame:
    """Counts of 1 to k-1 users (missing counts and zeros are not small)."""
    return counts.notna() & (counts > 0) & (counts < k)


def recoverable(totals: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Hidden cells whose value follows from the shown cells and the known totals.

    totals: one row per known total, 1 for the cells adding up to it (columns = cells); hidden:
    boolean per cell. A hidden cell is recoverable when every solution of the totals restricted to
    the hidden cells gives it the same value: its coordinate is zero on the whole kernel."""
    out = np.zeros(len(hidden), dtype=bool)
    columns = np.flatnonzero(hidden)
    if not len(columns):
        return out
    a = totals[:, columns]
    _, singular, vt = np.linalg.svd(a, full_matrices=True)
    kernel = vt[int((singular > _TOL).sum()):]
    out[columns] = np.all(np.abs(kernel) < _TOL, axis=0) if len(kernel) else True
    return out


def protect(counts: np.ndarray, hidden: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """`hidden` widened until no hidden cell is recoverable (see `recoverable`). Greedy: among the
    shown cells sharing a total with a recoverable cell, hide the one that leaves fewest
    recoverable cells, preferring non-zero cells, then the smallest count; repeat. A zero is hidden
    only when nothing else will do (a line whose only non-zero cell is hidden: "<k" then stands
    for 0 too). Cells without a partner left stay as they are (their totals must not be shown)."""
    hidden = hidden.copy()
    known = ~np.isnan(counts)
    while (exposed := recoverable(totals, hidden)).any():
        near = (totals[(totals[:, exposed] != 0).any(axis=1)] != 0).any(axis=0) & ~hidden & known
        nonzero = near & (counts > 0)
        candidates = np.flatnonzero(nonzero if nonzero.any() else near)
        if not len(candidates):
            return hidden
        best = min(candidates, key=lambda j: (int(recoverable(totals, _with(hidden, j)).sum()), counts[j], j))
        hidden = _with(hidden, best)
    return hidden


def _with(hidden: np.ndarray, cell: int) -> np.ndarray:
    out = hidden.copy()
    out[cell] = True
    return out


def complementary(hidden: pd.Series, counts: pd.Series) -> pd.Series:
    """The hidden cells of one total widened so that none can be recovered by subtraction: when
    exactly one cell is hidden, the smallest shown non-zero cell (the first, on ties) is hidden
    too. With no such cell the hidden one equals the total, which the caller must not show."""
    values = counts.to_numpy(dtype="float64", na_value=np.nan)
    widened = protect(values, hidden.to_numpy(dtype=bool), np.ones((1, len(values))))
    return pd.Series(widened, index=hidden.index)


def suppress_counts(frame: pd.DataFrame, k: int, reveals: Mapping[str, Sequence[str]],
                    totals: Collection[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hide, row by row, each count under k with every column computed from its users.

    reveals: count column -> the columns it reveals, processed in order, so a count hidden by an
    earlier one (the starters of a row hide its converters) takes its own columns with it.
    totals: count columns whose cells add up to a total shown somewhere (`complementary` is applied
    to them). Returns the frame with hidden cells missing (as float) and the boolean mask of hidden
    cells (same shape), so tables can show "<k" instead of a dash.
    """
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for count, revealed in reveals.items():
        hidden = small(frame[count], k) | mask[count]
        if count in totals:
            hidden = complementary(hidden, frame[count])
        for column in (count, *revealed):
            mask[column] |= hidden
    out = frame.copy()
    for column in mask.columns[mask.any()]:
        out[column] = out[column].astype("float64").mask(mask[column])
    return out, mask


def suppress(frame: pd.DataFrame, users_column: str, k: int, also: list[str] | None = None,
             total: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows whose `users_column` is below `k` lose that count and the `also` columns; with
    `total` (the rows add up to a total the reader sees, or shares are shown), complementary
    suppression too. Returns the suppressed frame and the mask of hidden cells."""
    return suppress_counts(frame, k, {users_column: also or []}, [users_column] if total else [])


def suppress_matrix(counts: pd.DataFrame, k: int, margins: bool = False, hidden_rows: Collection = (),
                    hidden_columns: Collection = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every cell of a user-count matrix (crosstab, migration matrix) below k is hidden.

    margins: the row and column sums are known to the reader (shown here or in another table), so
    each small cell is first put on the cheapest rectangle of hidden cells (the other three
    corners, non-zero counts first, smallest total), which no row or column sum can undo; then
    `protect` checks the whole and hides more if anything is still recoverable.
    hidden_rows / hidden_columns: rows and columns whose sum another table hides: known only
    together (the grand total less the shown sums), and never to be given back by this matrix.
    """
    hidden = small(counts, k)
    if margins:
        rows = np.array([r in hidden_rows for r in counts.index], dtype=bool)
        columns = np.array([c in hidden_columns for c in counts.columns], dtype=bool)
        values = counts.to_numpy(dtype="float64")
        cells = _rectangles(values, hidden.to_numpy())
        # the cells, then the sums other tables hide as unknowns of their own
        extra = np.concatenate([values.sum(axis=1)[rows], values.sum(axis=0)[columns]])
        flat = protect(np.concatenate([values.ravel(), extra]),
                       np.concatenate([cells.ravel(), np.ones(len(extra), dtype=bool)]),
                       _margins(counts.shape, rows, columns))
        hidden = pd.DataFrame(flat[: values.size].reshape(counts.shape), index=counts.index, columns=counts.columns)
    return counts.astype("float64").mask(hidden), hidden


def _rectangles(values: np.ndarray, small_cells: np.ndarray) -> np.ndarray:
    """Each small cell (i, j) with the other corners (i, j'), (i', j), (i', j') of the cheapest
    rectangle hidden too: fewest zero cells (a zero may be a transition that cannot happen, which
    protects nothing), then the smallest sum of the counts newly hidden."""
    hidden = small_cells.copy()
    n_rows, n_cols = values.shape
    for i, j in zip(*np.nonzero(small_cells), strict=True):
        options = []
        for i2 in range(n_rows):
            for j2 in range(n_cols):
                corners = [(i, j2), (i2, j), (i2, j2)]
                if i2 == i or j2 == j or any(np.isnan(values[c]) for c in corners):
                    continue
                new = [c for c in corners if not hidden[c]]
                options.append((sum(values[c] == 0 for c in corners), sum(values[c] for c in new), new))
        if options:
            for corner in min(options, key=lambda o: o[:2])[2]:
                hidden[corner] = True
    return hidden


def _margins(shape: tuple[int, int], rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """What a reader knows of a matrix whose cells (row-major) are followed by the sums other tables
    hide (`rows`, `columns`: which): each line's cells less its hidden sum, if any, is known (the
    sum itself when shown, 0 when hidden), and so is the sum of the hidden sums of each kind."""
    n_rows, n_cols = shape
    grid = np.arange(n_rows * n_cols).reshape(shape)
    hidden_sums = {("row", r): n_rows * n_cols + i for i, r in enumerate(np.flatnonzero(rows))}
    hidden_sums |= {("column", c): n_rows * n_cols + len(hidden_sums) + i
                    for i, c in enumerate(np.flatnonzero(columns))}
    lines = [("row", r, grid[r]) for r in range(n_rows)] + [("column", c, grid[:, c]) for c in range(n_cols)]
    totals = np.zeros((len(lines) + 2, n_rows * n_cols + len(hidden_sums)))
    for i, (kind, index, cells) in enumerate(lines):
        totals[i, cells] = 1.0
        if (kind, index) in hidden_sums:
            totals[i, hidden_sums[kind, index]] = -1.0
    for i, kind in enumerate(("row", "column")):
        totals[len(lines) + i, [v for (k, _), v in hidden_sums.items() if k == kind]] = 1.0
    return totals


def large_only(frame: pd.DataFrame, users_column: str, k: int, total: bool = False
               ) -> tuple[pd.DataFrame, int]:
    """For charts, where a hidden cell cannot be drawn: the rows with at least k users, and how
    many rows were left out. With `total` (the rows' shares or their total are shown), a single
    row of 1 to k-1 users left out takes the next-smallest row with it."""
    hidden = small(frame[users_column], k)
    if total:
        hidden = complementary(hidden, frame[users_column])
    keep = ~hidden & (frame[users_column] >= k)
    return frame[keep], int((~keep).sum())


def top_code(frame: pd.DataFrame, users_column: str, k: int) -> tuple[pd.DataFrame, bool]:
    """Ordered rows (chain depth 1, 2, 3 ...): the tail of rows holding fewer than k users is folded
    into the row before it, as far back as needed for the folded row to hold k, so no deep level of
    a few users shows. Returns the frame and whether its last row now stands for "this level or
    more". Rows before the fold keep their counts (`large_only` still applies to them)."""
    counts = frame[users_column].to_numpy()
    tail = counts[::-1].cumsum()[::-1]  # users at each row or after it
    reaching = [i for i in range(len(frame)) if tail[i] >= k]
    if not reaching or reaching[-1] == len(frame) - 1:
        return frame, False
    last = reaching[-1]
    out = frame.iloc[: last + 1].copy()
    out.iloc[last, out.columns.get_loc(users_column)] = tail[last]
    return out, True
