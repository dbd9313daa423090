// The player's clock against the server's (DASH UTCTiming, docs/player.md, "Clock"): the
// manifest names time sources; the player asks one three times and keeps the answer with the
// shortest round trip, whose error is at most half of it. The reading of an answer is a pure
// function (tested alone); SyncClock asks the network.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "net/http_client.h"
#include "player/mpd.h"

namespace onair::player {

struct ClockSync {
  int64_t offset_us = 0;  // the server's clock minus ours
  int64_t rtt_us = 0;     // of the exchange that set it
  std::string source;     // the UTCTiming value used
};

// The server's time in an answer: the body of http-iso / http-xsdate (trailing space
// allowed), or the Date header of http-head (to the second: its middle is taken).
StatusOr<UtcMicros> ServerTime(bool head, const net::Response& res);
// The offset from one exchange sent at t0 and answered at t1 (our clock) carrying `server`.
inline int64_t OffsetOf(UtcMicros t0, UtcMicros t1, UtcMicros server) {
  return server - (t0 + t1) / 2;
}

// The first of `timings` that answers (direct, http-iso, http-xsdate, http-head; relative
// values resolved against the manifest's URL); Unavailable if none does.
StatusOr<ClockSync> SyncClock(const std::vector<UtcTiming>& timings,
                              const std::string& manifest_url, Clock* clock);

}  // namespace onair::player
