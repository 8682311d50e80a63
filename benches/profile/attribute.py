#!/usr/bin/env python3
"""Splits each process's perf samples into whose code was running: interview-coach's own,
SQLite's, or the Discord stack's (serenity, poise, HTTP, tokio and the rest of the
dependencies). A sample goes to the innermost frame that belongs to one of them; frames of
the standard library, the allocator and the kernel are passed over, so an allocation or a
system call counts for the code that asked for it. serde is passed over too: encoding the
bot's own state counts as the bot's, parsing a gateway event as serenity's.

    python3 benches/profile/attribute.py target/profile/bot.txt target/profile/floor.txt
"""
import collections
import re
import sys

AREAS = [
    ("interview-coach's own code", re.compile(r"interview_coach::")),
    ("SQLite (rusqlite and the library)", re.compile(r"sqlite3|rusqlite")),
    (
        "serenity, poise, HTTP, tokio and other dependencies",
        re.compile(
            r"serenity::|poise::|hyper|reqwest|h2::|http::|tokio::|mio::|tungstenite|rustls"
            r"|url::|bytes::|futures|tower|want::|httparse|tracing|flate2|miniz|ring::"
            r"|parking_lot|crossbeam|arc_swap"
        ),
    ),
]


def samples(path):
    """Each sample's frames, innermost first, from `perf script -F comm,ip,sym`."""
    frames = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                if frames:
                    yield frames
                frames = []
            elif line[0] in " \t":
                parts = line.split(None, 1)
                frames.append(parts[1].strip() if len(parts) > 1 else "")
    if frames:
        yield frames


def area(frames):
    for frame in frames:
        for name, pattern in AREAS:
            if pattern.search(frame):
                return name
    return "other"


for path in sys.argv[1:]:
    counts = collections.Counter(area(s) for s in samples(path))
    total = sum(counts.values())
    print(f"{path}: {total} samples")
    for name, n in counts.most_common():
        print(f"  {100 * n / max(total, 1):5.1f} %  {name}")
