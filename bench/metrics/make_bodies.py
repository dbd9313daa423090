#!/usr/bin/env python3
"""Writes the QoE batches the metrics benchmark posts, and the same events as the JSON lines
VictoriaMetrics imports (/api/v1/import): BATCHES batches of EVENTS events each, dated over the
last 10 s. Usage: make_bodies.py DIR BATCHES EVENTS"""
import json
import random
import sys
import time

out, batches, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(7)
now_ms = int(time.time() * 1000)
edges = [f"edge-{k}" for k in range(8)]
renditions = [("1080p", 6000000), ("720p", 3000000), ("540p", 1800000), ("360p", 800000)]


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + ".%03dZ" % (ms % 1000)


for b in range(batches):
    session = "bench-%06d" % b
    device = rng.choice(["tv", "phone", "browser", "stb"])
    region = rng.choice(["eu", "us", "apac"])
    events, lines = [], []
    for k in range(per):
        t = now_ms - rng.randrange(10000)
        edge = rng.choice(edges)
        rendition, bitrate = rng.choice(renditions)
        r = rng.random()
        if r < 0.8:
            e = {"type": "heartbeat", "t": iso(t), "edge": edge, "state": "playing",
                 "bitrate": bitrate, "latency_ms": rng.randrange(2000, 4000), "rendition": rendition,
                 "codec": "avc", "played_ms": 10000, "stalled_ms": 0, "top": rendition == "1080p"}
            value = 10000
        elif r < 0.9:
            e = {"type": "start", "t": iso(t), "ttff_ms": rng.randrange(300, 3000), "edge": edge}
            value = e["ttff_ms"]
        elif r < 0.95:
            e = {"type": "rebuffer", "t": iso(t), "duration_ms": rng.randrange(100, 2000), "edge": edge}
            value = e["duration_ms"]
        elif r < 0.98:
            e = {"type": "error", "t": iso(t), "kind": "connect", "edge": edge}
            value = 1
        else:
            e = {"type": "end", "t": iso(t), "played_s": 600.0, "rebuffers": 0, "started": True,
                 "fatal": False}
            value = 600
        events.append(e)
        labels = {"__name__": "qoe_" + e["type"], "event": "bench", "session": session,
                  "device_type": device, "region": region}
        if "edge" in e:
            labels["edge"] = e["edge"]
        if e["type"] == "heartbeat":
            labels["rendition"] = rendition
            labels["codec"] = "avc"
        lines.append(json.dumps({"metric": labels, "values": [value], "timestamps": [t]}))
    with open(f"{out}/qoe-{b}.json", "w") as f:
        json.dump({"v": 1, "session": session, "event": "bench",
                   "device": {"type": device, "region": region}, "events": events}, f)
    with open(f"{out}/vm-{b}.jsonl", "w") as f:
        f.write("\n".join(lines) + "\n")
