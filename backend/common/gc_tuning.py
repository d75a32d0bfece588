"""
The garbage collector of a worker that holds thousands of sockets.

CPython's full (oldest-generation) collection walks every tracked object. A
worker holding 2,000 contest sockets tracks a few million, and with the default
thresholds it ran such a collection several times during a measured game, each
a 340 ms pause of the event loop — the slowest question fan-outs and reveals of
``bench/live_room.py`` (2.6 s of pauses in one game; 0.3 s with the settings
below, and no full collection).

- ``gc.freeze()`` once the application is loaded: what was imported and set up
  (Django, the URL conf, the schemas) is never walked again.
- Higher thresholds: a young collection every 50,000 allocations instead of 700
  (each one still frees the short-lived cycles of a step, a frame, a request),
  and the oldest generation only after 100 × 20 of them. Memory that only a full
  collection frees (long-lived reference cycles) waits longer; reference counting
  frees everything else at once, as before.
"""

import gc

THRESHOLDS = (50_000, 20, 100)


def tune_for_many_connections() -> None:
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
