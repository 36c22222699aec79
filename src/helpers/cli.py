"""`wxreport`: the one command the Makefile calls.

    wxreport run [--data D] [--period latest|YYYY-Www] [--out DIR] [--only NB ...] [--jobs N] [--force]
    wxreport sample [--platform-only] [--seed S] [--users N] [--days D] [--end DATE] [--out DIR]
    wxreport fetch {mini-program|official-account} --since YYYY-MM-DD [--until YYYY-MM-DD] --data DIR
    wxreport weekly [--data DIR] [--period latest|YYYY-Www] [--out DIR] [--weeks N]
    wxreport deliver [--period latest|YYYY-Www] [--out DIR] [--to NAME ...] [--resend] [--dry-run]
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import signal
import sys
import time
from pathlib import Path

from helpers.run.jobs import Options, announcement


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="wxreport run",
                                     description="Execute the report notebooks and render HTML/JSON.")
    parser.add_argument("--data", help="data folder or .duckdb file (default: params, 'sample')")
    parser.add_argument("--period", help="'latest' or an ISO week such as 2026-W47")
    parser.add_argument("--out", help="output folder (default: params, 'reports')")
    parser.add_argument("--engine", choices=("duckdb", "spark"),
                        help="engine of the metric queries (default: params, 'duckdb')")
    parser.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="run only these notebooks")
    parser.add_argument("--jobs", type=int, default=max(1, os.cpu_count() or 1),
                        help="notebooks run in parallel (default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="re-run even when nothing changed")
    parser.add_argument("--notebooks", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--params", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    options = Options(data=args.data or None, period=args.period or None,
                             out=args.out or None, engine=args.engine, only=args.only, jobs=max(1, args.jobs),
                             force=args.force)
    if args.notebooks:
        options.notebooks_dir = args.notebooks.resolve()
    if args.params:
        options.params_dir = args.params.resolve()
    # Said before importing the runner: its imports (pandas, nbconvert, matplotlib ...) take
    # seconds, more on a busy machine, and a silent terminal looks like a hung one.
    print(announcement(options), flush=True)
    from helpers.run.pool import main_run

    return main_run(options)


def _sample(argv: list[str]) -> int:
    from helpers import sample

    return sample.main(argv)


def _fetch(argv: list[str]) -> int:
    from helpers.fetch import command

    return command.main(argv)


def _deliver(argv: list[str]) -> int:
    from helpers.deliver import command

    return command.main(argv)


def _weekly(argv: list[str]) -> int:
    """Fetch the missing days of every source whose credentials are set, run the reports, then
    deliver the week to the destinations of params/delivery.yaml (when there are any)."""
    from helpers.deliver import command as delivery
    from helpers.fetch import client, command

    parser = argparse.ArgumentParser(prog="wxreport weekly", description=(
        "For each WeChat source whose credentials are set in the environment, fetch the missing days "
        "of the last N weeks into the data folder; then run the reports on it; then send the week "
        "to the destinations enabled in params/delivery.yaml."))
    parser.add_argument("--data", help="data folder of WeChat's numbers (default: data/wechat when "
                                       "credentials are set, else as `wxreport run`)")
    parser.add_argument("--period", help="'latest' or an ISO week such as 2026-W47")
    parser.add_argument("--out", help="output folder (default: params, 'reports')")
    parser.add_argument("--weeks", type=int, default=command.WEEKLY_WEEKS,
                        help="weeks of statistics to complete (default: %(default)s)")
    parser.add_argument("--params", type=Path, help=argparse.SUPPRESS)
    args, run_args = parser.parse_known_args(argv)
    deliver_args = [a for flag, value in (("--out", args.out), ("--params", args.params)) if value
                    for a in (flag, str(value))]
    sends = delivery.weekly_check(args.params)  # delivery.yaml is checked before anything runs
    if sends is None:
        return delivery.EXIT_USAGE
    sources = [source for source in command.SOURCES if client.configured(source)]
    data = args.data
    status = 0
    if not sources:
        print("wxreport weekly: no WeChat credentials in the environment (WECHAT_MP_APPID / WECHAT_OA_APPID "
              "and their secrets): nothing fetched, the reports run on the data as it is", flush=True)
    else:
        data = str(command.weekly_data_dir(args.data))
        for source in sources:
            code = command.guarded(functools.partial(command.weekly_fetch, source, Path(data), max(1, args.weeks)))
            if code not in (0, command.EXIT_QUOTA):
                return code
            status = status or code
        code = command.guarded(functools.partial(command.convert_step, Path(data)))
        if code:
            return code
    for flag, value in (("--data", data), ("--period", args.period), ("--out", args.out),
                        ("--params", args.params)):
        if value:
            run_args += [flag, str(value)]
    started = time.time()
    code = _run(run_args)
    if not sends or code not in (0, 1):  # no destination; or the run stopped (parameters, Ctrl-C)
        return code or status
    # a failed report does not hold the week back: the messages say it is incomplete
    latest = args.period in (None, "", "latest")  # then the week this run wrote
    period = [] if latest else ["--period", args.period]
    sent = delivery.main([*deliver_args, *period], since=started if latest else None)
    return code or sent or status


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Ctrl-C always stops a run cleanly, even when the launching process ignored SIGINT (a shell's
    # background job, a test worker): Python keeps an inherited SIG_IGN otherwise.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    logging.basicConfig(level=logging.WARNING, format="wxreport: %(levelname)s: %(message)s")
    commands = {"run": _run, "sample": _sample, "fetch": _fetch, "weekly": _weekly, "deliver": _deliver}
    if not argv or argv[0] not in commands:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
