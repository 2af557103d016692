"""How long do a premise report, its PDF and a zip of reports take at 1,000,000 wishes?

    .venv/bin/python -m bench.report_pdf [--wishes 1000000] [--premises 5000] [--repeat 5]
                                         [--zip 20] [--database-url URL]

Builds the synthetic city of `bench.portfolio` (or reuses a database that bench filled, e.g.
`--database-url sqlite:////tmp/bench.sqlite`), then, as an officer: the report page and the
PDF of the premise with the most wishes, and "download all reports" cut to --zip premises.
Prints wall and CPU time (p50); on a shared machine the CPU time is the fairer figure.
"""

from __future__ import annotations

import argparse
import tempfile

from bench.portfolio import officer_client, open_city, timed
from wishmap.services import report_pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wishes", type=int, default=1_000_000)
    parser.add_argument("--premises", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--zip", type=int, default=20, help="reports in the timed zip")
    parser.add_argument("--database-url", help="an empty database, or one a bench filled")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wishmap-bench-") as tmp:
        city = open_city(tmp, args.database_url, args.wishes, args.premises)
        client = officer_client(city)
        report_pdf.MAX_REPORTS_PER_ZIP = args.zip
        premise, on_it = city.busiest
        print(f"{city.wishes:,} wishes; premise {premise} has {on_it:,} wishes on it\n")
        print(f"{'request':44s} {'wall p50':>10s} {'CPU p50':>10s} {'size':>9s}")
        for label, path, repeat in (
            ("report page", f"/insights/premises/{premise}", args.repeat),
            ("report PDF", f"/insights/premises/{premise}/report.pdf", args.repeat),
            (f"zip of {args.zip} reports (portfolio order)", "/insights/reports.zip", 1),
        ):
            wall, _, cpu, size = timed(client, path, repeat)
            print(f"{label:44s} {wall:8.0f}ms {cpu:8.0f}ms {size / 1024:7.1f}KB")


if __name__ == "__main__":
    main()
