"""The model's times for the issue's trips next to the published or timetable times, with the relative error.

Each row: the trip, the modes allowed, the model's door-to-door hours and legs, and every
published figure of ``routing/data/published_times.csv`` for that trip (leg times such as a
flight or a crossing are compared with the model's leg of that mode; door-to-door figures with
the total). The published figures carry their source in that file.

Run: ``RUJUK_DATA_MIRROR=../shared/data python bench/bench_trips.py``
"""

from __future__ import annotations

from routing._links import read_table
from routing.travel import format_hours
from routing.trip import trip

TRIPS = [
    ("Wamena", "Kota Jayapura", None, "Jayapura (Sentani) - Wamena"),
    ("Kota Kupang", "Kota Surabaya", None, "Kupang - Surabaya"),
    ("Kota Kupang", "Kota Surabaya", "road,sea", "Kupang - Surabaya"),
    ("Kota Batam", "Kota Tanjung Pinang", "road,sea", "Batam"),
    ("53.05", "Kota Kupang", "road,sea", "Kalabahi"),
    ("Kota Balikpapan", "64.09", "road,sea", "Balikpapan"),
    ("Tenggarong", "Kota Samarinda", None, "Tenggarong"),
]


def main() -> None:
    published = read_table("published_times.csv")
    for start, end, modes, name in TRIPS:
        answer = trip(start, end, modes)
        legs = " > ".join(f"{leg['mode']} {format_hours(leg['time_h'])}" for leg in answer["legs"])
        print(f"{start} -> {end} [{answer['modes']}]: {format_hours(answer['time_h'])} ({legs})")
        by_mode = {}
        for leg in answer["legs"]:
            by_mode[leg["mode"]] = by_mode.get(leg["mode"], 0.0) + leg["time_h"]
        for row in published:
            if not row["trip"].lower().startswith(name.lower()) or row["mode"] not in by_mode:
                continue
            figure = float(row["published_hours"])
            model = answer["time_h"] if row["mode"] == "road" and len(by_mode) == 1 else by_mode[row["mode"]]
            error = (model - figure) / figure
            print(
                f"    published {row['mode']:9s} {format_hours(figure):>6s} ({row['what'][:60]}): model "
                f"{format_hours(model)} incl. waiting, {error:+.0%}  [{row['source_url'][:70]}]"
            )


if __name__ == "__main__":
    main()
