#include "player/segment_fetch.h"

#include <algorithm>

#include "player/backoff.h"
#include "player/plan.h"

namespace onair::player {

StatusOr<std::string> FetchWhole(net::HttpConnection& conn, const std::string& target,
                                 std::chrono::milliseconds idle) {
  std::string body;
  int status = 0;
  net::StreamHandler h;
  h.on_head = [&](int s, const net::Headers&) {
    status = s;
    return s == 200;
  };
  h.on_body = [&](std::string_view b) {
    body.append(b);
    return body.size() < (8u << 20);
  };
  Status s = conn.StreamGet(target, {}, h, idle);
  if (!s.ok()) return s;
  if (status != 200) return Unavailable("HTTP " + std::to_string(status));
  return body;
}

SegmentReceiver::SegmentReceiver(const media::TrackTiming& track, int64_t max_wait_ms,
                                 OnChunk on_chunk, Clock* clock, bool keep_bytes)
    : clock_(clock),
      max_wait_ms_(max_wait_ms),
      on_chunk_(std::move(on_chunk)),
      keep_bytes_(keep_bytes),
      reader_(track, /*keep_media=*/keep_bytes),
      chunk_began_(clock->Monotonic()) {}

net::StreamHandler SegmentReceiver::Handler() {
  net::StreamHandler h;
  h.on_head = [this](int s, const net::Headers& hs) {
    status_ = s;
    head_ = hs;
    return s == 200;
  };
  h.on_body = [this](std::string_view b) {
    const MonoTime now = clock_->Monotonic();
    if (reader_.pending_bytes() == 0) chunk_began_ = now;
    if (keep_bytes_) f_.bytes.append(b);
    bytes_ += static_cast<int64_t>(b.size());
    chunks_.clear();
    parse_ = reader_.Push(b, &chunks_);
    if (!parse_.ok()) return false;
    bool go_on = true;
    for (const media::Chunk& c : chunks_) {
      const int64_t transfer_us =
          std::chrono::duration_cast<std::chrono::microseconds>(now - chunk_began_).count();
      go_on = on_chunk_(c, transfer_us) && go_on;
    }
    if (reader_.pending_bytes() > 0) chunk_began_ = now;
    return go_on;
  };
  return h;
}

SegmentFetch SegmentReceiver::Finish(const Status& s, const std::string& target) {
  SegmentFetch f = std::move(f_);
  if (!parse_.ok()) {
    f.error_kind = "bad_media";
    f.detail = parse_.message();
    return f;
  }
  if (!s.ok()) {
    f.error_kind = s.code() == StatusCode::kDeadlineExceeded ? "stall"
                   : status_ == 200                          ? "truncated"
                                                             : "connect";
    f.detail = s.message();
    return f;
  }
  if (status_ == 200) {
    if (reader_.pending_bytes() != 0) {
      f.error_kind = "truncated";
      f.detail = "the segment ends inside a box";
      return f;
    }
    f.kind = SegmentFetch::kDone;
    return f;
  }
  const SegmentAnswer answer = ReadSegmentAnswer(status_, head_, max_wait_ms_, clock_->Now());
  f.kind = answer.kind == SegmentAnswer::kNotYet ? SegmentFetch::kNotYet
           : answer.kind == SegmentAnswer::kGone ? SegmentFetch::kGone
                                                 : SegmentFetch::kFailed;
  f.retry_ms = answer.retry_ms;
  f.error_kind = answer.error_kind;
  if (f.kind == SegmentFetch::kFailed) f.detail = target;
  return f;
}

SegmentFetch FetchSegment(net::HttpConnection& conn, const std::string& target,
                          const media::TrackTiming& track, std::chrono::milliseconds idle,
                          int64_t max_wait_ms, const OnChunk& on_chunk, Clock* clock) {
  SegmentReceiver r(track, max_wait_ms, on_chunk, clock);
  const Status s = conn.StreamGet(target, {}, r.Handler(), idle);
  return r.Finish(s, target);
}

}  // namespace onair::player
