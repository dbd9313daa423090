// One segment from an edge, as a low-latency player takes it (docs/player.md, "Fetching"):
// the answer streamed in and cut into CMAF chunks the moment each is whole, every chunk handed
// over with how long its bytes took (the throughput the ABR learns); what the server said of
// a segment that is not there (not yet, for how long; gone; an error and when to retry).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "media/fmp4.h"
#include "net/http_client.h"

namespace onair::player {

struct SegmentFetch {
  enum Kind { kDone, kNotYet, kGone, kFailed } kind = kFailed;
  std::string error_kind;  // kFailed: stall, truncated, connect, bad_media, http_NNN
  std::string detail;
  std::optional<int64_t> retry_ms;  // when to ask again, if the server said
  std::string bytes;                // kDone: the whole segment
};

// Called for each chunk as it completes; `transfer_us`: from its first byte to its last.
// Returning false stops the transfer.
using OnChunk = std::function<bool(const media::Chunk& chunk, int64_t transfer_us)>;

// GETs `target` on `conn`; `idle` bounds every wait for bytes (a stalled server fails the
// fetch). A 404 is "not yet" for as long as the server's X-Onair-Max-Age-Ms says (200 ms when
// it says nothing, at most `max_wait_ms`); a 410 is gone; anything else a failure.
SegmentFetch FetchSegment(net::HttpConnection& conn, const std::string& target,
                          const media::TrackTiming& track, std::chrono::milliseconds idle,
                          int64_t max_wait_ms, const OnChunk& on_chunk, Clock* clock);

// A whole small object (an init segment, at most 8 MiB): its bytes on a 200.
StatusOr<std::string> FetchWhole(net::HttpConnection& conn, const std::string& target,
                                 std::chrono::milliseconds idle);

}  // namespace onair::player
