#!/usr/bin/env python3
"""Would forecasting the eve of a holiday as a Saturday (the day before a day off) have helped? (issue 21, Taylor)

27 August 2000, the last day of the Taylor series and the day that decides both Taylor targets, was the Sunday
before the summer bank holiday. Its evening lacked the usual rise ahead of a working Monday
(docs/forecasting-experiments.md, *One day decides both Taylor targets*). This replays the rule that `--holidays`
could have applied to an eve, in the manner of its holiday rule: each step of the eve's forecast times the ratio of
a Saturday's profile to the eve's weekday's profile at that time of day, over the four weeks before the eve. It
prints each model's MAPE on the eve as forecast, with the ratio over the whole day, and with it from 16:00 only.

    peergrid backtest --data Datasets/taylor_england_wales_halfhourly_2000.csv --column demand_mw --horizon 48 \\
        --test-days 14 --models seasonal-naive,ar-weekly,arima,mstl-arima,mstl-ets,ensemble --forecasts taylor14.csv
    python3 Benchmarks/holiday_eve_replay.py Datasets/taylor_england_wales_halfhourly_2000.csv demand_mw \\
        taylor14.csv 2000-08-27
"""
import csv
import datetime as dt
import sys
from collections import defaultdict


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    data, column, forecasts, eve_text = sys.argv[1:]
    series = {}
    for r in csv.DictReader(open(data, newline="", encoding="utf-8-sig")):
        series[r["timestamp"][:19]] = float(r[column])
    eve = dt.date.fromisoformat(eve_text)
    per_day = sum(1 for k in series if k.startswith(eve_text))
    step = dt.timedelta(days=1) / per_day

    def profile(day):
        start = dt.datetime(day.year, day.month, day.day)
        return [series[(start + k * step).strftime("%Y-%m-%dT%H:%M:%S")] for k in range(per_day)]

    def mean_profile(days):
        ps = [profile(d) for d in days]
        return [sum(p[k] for p in ps) / len(ps) for k in range(per_day)]

    # Four weeks before the eve: its own weekday's days and the Saturdays.
    own = [eve - dt.timedelta(days=7 * (i + 1)) for i in range(4)]
    back = (eve.weekday() - 5) % 7 or 7
    saturdays = [eve - dt.timedelta(days=back + 7 * i) for i in range(4)]
    ratio = [s / o for s, o in zip(mean_profile(saturdays), mean_profile(own))]
    print("Saturday / %s ratio by time of day: %.3f-%.3f (mean %.3f)" % (
        eve.strftime("%A"), min(ratio), max(ratio), sum(ratio) / len(ratio)))
    evening = int(16 * 3600 / step.total_seconds())

    by_model = defaultdict(list)
    for r in csv.DictReader(open(forecasts, newline="", encoding="utf-8-sig")):
        if r["timestamp"].startswith(eve_text):
            by_model[r["model"]].append((float(r["actual"]), float(r["forecast"])))
    print("%-16s %10s %12s %14s" % ("model", "MAPE %", "as Saturday", "from 16:00"))
    for model, rows in by_model.items():
        if len(rows) != per_day:
            continue

        def mape(scale):
            return 100 * sum(abs(a - f * scale(k)) / a for k, (a, f) in enumerate(rows)) / per_day

        print("%-16s %10.2f %12.2f %14.2f" % (
            model, mape(lambda k: 1), mape(lambda k: ratio[k]), mape(lambda k: ratio[k] if k >= evening else 1)))


if __name__ == "__main__":
    main()
