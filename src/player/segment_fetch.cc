#include "player/segment_fetch.h"

#include <algorithm>

#include "contract/headers.h"
#include "player/backoff.h"

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

SegmentFetch FetchSegment(net::HttpConnection& conn, const std::string& target,
                          const media::TrackTiming& track, std::chrono::milliseconds idle,
                          int64_t max_wait_ms, const OnChunk& on_chunk, Clock* clock) {
  SegmentFetch f;
  int status = 0;
  net::Headers head;
  media::ChunkReader reader(track);
  std::vector<media::Chunk> chunks;
  Status parse = Status::Ok();
  MonoTime chunk_began = clock->Monotonic();
  net::StreamHandler h;
  h.on_head = [&](int s, const net::Headers& hs) {
    status = s;
    head = hs;
    return s == 200;
  };
  h.on_body = [&](std::string_view b) {
    const MonoTime now = clock->Monotonic();
    if (reader.pending_bytes() == 0) chunk_began = now;
    f.bytes.append(b);
    chunks.clear();
    parse = reader.Push(b, &chunks);
    if (!parse.ok()) return false;
    bool go_on = true;
    for (const media::Chunk& c : chunks) {
      const int64_t transfer_us =
          std::chrono::duration_cast<std::chrono::microseconds>(now - chunk_began).count();
      go_on = on_chunk(c, transfer_us) && go_on;
    }
    if (reader.pending_bytes() > 0) chunk_began = now;
    return go_on;
  };
  Status s = conn.StreamGet(target, {}, h, idle);
  if (!parse.ok()) {
    f.error_kind = "bad_media";
    f.detail = parse.message();
    return f;
  }
  if (!s.ok()) {
    f.error_kind = s.code() == StatusCode::kDeadlineExceeded ? "stall"
                   : status == 200                           ? "truncated"
                                                             : "connect";
    f.detail = s.message();
    return f;
  }
  if (status == 200) {
    if (reader.pending_bytes() != 0) {
      f.error_kind = "truncated";
      f.detail = "the segment ends inside a box";
      return f;
    }
    f.kind = SegmentFetch::kDone;
    return f;
  }
  if (status == 404) {
    f.kind = SegmentFetch::kNotYet;
    const std::string ms = net::HeaderValue(head, contract::kMaxAgeMs);
    f.retry_ms = ms.empty() ? 200 : std::clamp<int64_t>(std::atoll(ms.c_str()), 0, max_wait_ms);
    return f;
  }
  if (status == 410) {
    f.kind = SegmentFetch::kGone;
    return f;
  }
  f.error_kind = "http_" + std::to_string(status);
  f.detail = target;
  f.retry_ms = ServerRetryMs({status, head, ""}, clock->Now());
  return f;
}

}  // namespace onair::player
