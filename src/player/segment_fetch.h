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
#include <vector>

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

// The receiving side of one segment request, whatever carries it (HttpConnection in the
// player, HttpClient on an event loop in the load generator): the handler cuts the body into
// chunks as they complete; Finish says what the answer was, given the transfer's status.
class SegmentReceiver {
 public:
  // `keep_bytes`: the whole segment kept in SegmentFetch::bytes (to decode it).
  SegmentReceiver(const media::TrackTiming& track, int64_t max_wait_ms, OnChunk on_chunk,
                  Clock* clock, bool keep_bytes = true);
  net::StreamHandler Handler();
  SegmentFetch Finish(const Status& transfer, const std::string& target);
  int status() const { return status_; }
  int64_t bytes() const { return bytes_; }

 private:
  Clock* clock_;
  int64_t max_wait_ms_;
  OnChunk on_chunk_;
  bool keep_bytes_;
  SegmentFetch f_;
  int status_ = 0;
  int64_t bytes_ = 0;
  net::Headers head_;
  media::ChunkReader reader_;
  std::vector<media::Chunk> chunks_;
  Status parse_ = Status::Ok();
  MonoTime chunk_began_;
};

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
