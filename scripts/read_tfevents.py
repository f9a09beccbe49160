#!/usr/bin/env python3
"""Prints every scalar of a TensorBoard log directory as 'tag step value', read by the tensorboard
package (the check that our event files are what TensorBoard reads)."""
import sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

acc = EventAccumulator(sys.argv[1])
acc.Reload()
for tag in sorted(acc.Tags()["scalars"]):
    for e in acc.Scalars(tag):
        print(tag, e.step, repr(e.value))
