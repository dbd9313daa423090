// A session's fetcher of one track (video or audio), on its own thread: the segment after the
// last, when it can exist and the playhead is near enough; the rendition the ABR picks; the
// best edge, failing over when one fails; every chunk into the track's buffer as it arrives;
// every segment decoded (docs/player.md, "Fetching").
#include <algorithm>

#include "core/log.h"
#include "media/segment_decoder.h"
#include "net/url.h"
#include "player/backoff.h"
#include "player/cmcd.h"
#include "player/segment_fetch.h"
#include "player/session.h"

namespace onair::player {

using std::chrono::milliseconds;

namespace {

StatusOr<net::Endpoint> SplitSegmentUrl(const StatusOr<std::string>& url) {
  if (!url.ok()) return url.status();
  return net::SplitUrl(*url);
}

}  // namespace

int64_t Player::Impl::SegmentStart(const AdaptationSet& set, int64_t number) const {
  return plan.SegmentStart(set, number);
}

int64_t Player::Impl::SegmentAt(const AdaptationSet& set, int64_t media_us) const {
  return plan.SegmentAt(set, media_us);
}

void Player::Impl::TakeChunk(const media::Chunk& c, int64_t transfer_us,
                             const media::TrackTiming& track, const AdaptationSet& set,
                             bool is_video, UtcMicros asked) {
  const double pto_us = static_cast<double>(set.segments.presentation_time_offset) * 1e6 /
                        static_cast<double>(set.segments.timescale);
  const UtcMicros arrived = Now();
  const auto start =
      static_cast<int64_t>(static_cast<double>(c.decode_time) * 1e6 / track.timescale - pto_us);
  const int64_t end = start + c.duration * 1'000'000 / track.timescale;
  std::lock_guard<std::mutex> lock(mu);
  throughput.Add(static_cast<int64_t>(c.size), transfer_us);
  TrackBuffer& buffer = is_video ? video_buffer : audio_buffer;
  const bool fresh = buffer.ContiguousEnd(start) < end;
  buffer.Add(start, end);
  const std::optional<UtcMicros> captured =
      cfg.capture_from_ast ? std::optional<UtcMicros>(zero + start) : c.captured;
  if (is_video && captured) {
    capture_of_chunk[start] = *captured;
    // Glass to glass at arrival, for chunks still being captured when asked for (the live
    // ones; a chunk already there measures only how late the player asked).
    if (fresh && *captured + (end - start) > asked) {
      arrival_samples.push_back(static_cast<double>(arrived - *captured) / 1e6);
    }
  }
}

void Player::Impl::FetchTrack(const AdaptationSet& set, bool is_video, int64_t first_number) {
  std::map<std::string, std::unique_ptr<net::HttpConnection>> conns;
  std::map<std::string, std::pair<std::string, media::TrackTiming>> inits;  // by rendition
  Backoff backoff(100, 4'000, cfg.seed + (is_video ? 1 : 2));
  int64_t number = first_number;
  int failures_in_a_row = 0;
  std::string last_edge;
  std::pair<int64_t, UtcMicros> first_asked = {-1, 0};  // segment number, when
  while (!stop.load()) {
    int64_t position;
    Playout::State state;
    {
      std::lock_guard<std::mutex> lock(mu);
      position = playout->position_us();
      state = playout->state();
    }
    // Behind the playhead (after a long stall): on to the segment being played.
    if (state == Playout::State::kPlaying && SegmentStart(set, number) + segment_us <= position) {
      number = SegmentAt(set, position);
      continue;
    }
    // Not too far ahead of the playhead (a catch-up viewer), not before it exists: a chunked
    // segment is asked for as it starts (the origin holds the request and streams its first
    // chunk the moment it lands), a whole one when it is complete.
    const int64_t start = SegmentStart(set, number);
    if (start - position > target_latency_us + 2 * segment_us &&
        state != Playout::State::kWaiting) {
      if (!SleepMs(50)) break;
      continue;
    }
    if (!SleepUntil(plan.ReadyAt(set, number))) break;

    // The rendition: chosen at each segment boundary, video only.
    const Representation* rep = &set.representations.back();
    if (is_video) {
      std::lock_guard<std::mutex> lock(mu);
      const int rung = abr->Choose(plan.AbrInputFor(
          static_cast<double>(video_buffer.ContiguousEnd(position) - position) / 1e6,
          throughput.bits_per_second(), device_cap, steering_cap));
      rep = &set.representations[static_cast<size_t>(rung)];
      rung_of_segment[number] = rung;
    }

    const BaseUrl edge = edges->Best(Now());
    if (!last_edge.empty() && edge.url != last_edge) {
      contract::QoeEvent e = NewEvent(contract::QoeType::kEdge);
      e.from = last_edge;
      e.to = EdgeName(edge);
      events.Add(std::move(e));
    }
    auto& init = inits[rep->id];
    auto where_init = SplitSegmentUrl(SegmentUrl(edge, set, *rep, -1, nullptr));
    if (!where_init.ok()) {
      Error("bad_manifest", "cannot make a URL for " + rep->id);
      break;
    }
    auto& conn = conns[where_init->server.host + ":" + where_init->server.port];
    if (!conn) conn = std::make_unique<net::HttpConnection>(where_init->server);

    SegmentFetch f;
    const milliseconds idle(segment_us / 1000 + 1000);
    if (init.first.empty()) {
      auto bytes = FetchWhole(*conn, where_init->target, idle + milliseconds(1000));
      StatusOr<media::TrackTiming> info =
          bytes.ok() ? media::ReadInit(*bytes) : StatusOr<media::TrackTiming>(bytes.status());
      if (info.ok()) {
        init = {std::move(*bytes), *info};
      } else {
        f.error_kind = "init";
        f.detail = info.status().message();
      }
    }
    if (!init.first.empty()) {
      Cmcd cmcd = SegmentCmcd(plan, set, *rep, number, cfg.event, cfg.session_id);
      {
        std::lock_guard<std::mutex> lock(mu);
        const TrackBuffer& b = is_video ? video_buffer : audio_buffer;
        cmcd.buffer_ms = (b.ContiguousEnd(position) - position) / 1000;
        cmcd.throughput_kbps = static_cast<int64_t>(throughput.bits_per_second() / 1000);
        cmcd.startup = playout->state() == Playout::State::kWaiting;
        cmcd.buffer_starvation = starved && is_video;
        if (is_video) starved = false;
        cmcd.playback_rate = playout->rate();
      }
      auto where_media = SplitSegmentUrl(SegmentUrl(edge, set, *rep, number, &cmcd));
      if (!where_media.ok()) {
        Error("bad_manifest", "cannot make a URL for " + rep->id);
        break;
      }
      const std::string target = where_media->target;  // the same server as the init segment's
      if (first_asked.first != number) first_asked = {number, Now()};
      const media::TrackTiming& track = init.second;
      const UtcMicros asked = first_asked.second;
      f = FetchSegment(
          *conn, target, track, idle, segment_us / 1000,
          [&](const media::Chunk& c, int64_t transfer_us) {
            TakeChunk(c, transfer_us, track, set, is_video, asked);
            return !stop.load();
          },
          clock);
    }
    if (stop.load()) return;
    last_edge = edge.url;
    const FetchOutcome next = AfterSegment(f, Now() > zero + start + 3 * segment_us, edges->size(),
                                           &failures_in_a_row, &backoff);
    if (f.kind == SegmentFetch::kDone) {
      bool decodable = true;
      std::string why;
      if (cfg.decode) {
        auto report = media::DecodeSegment(init.first, f.bytes);
        decodable = report.ok();
        if (!decodable) why = report.status().message();
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        ++stats.segments;
        ++stats.edges[EdgeName(edge)];
        current_edge = EdgeName(edge);
        if (is_video) {
          ++stats.renditions[rep->id];
          stats.video_log.emplace_back(number, rep->id);
          if (stats.video_log.size() > 1000) stats.video_log.erase(stats.video_log.begin());
        }
        if (cfg.decode) ++(decodable ? stats.decoded : stats.undecodable);
      }
      if (!decodable) {
        Error("undecodable", rep->id + "/" + std::to_string(number) + ": " + why, EdgeName(edge));
      }
    } else if (!next.error.empty()) {
      const std::string what = f.kind == SegmentFetch::kFailed
                                   ? EdgeName(edge) + ": " + f.detail
                                   : rep->id + "/" + std::to_string(number);
      Error(next.error, what, EdgeName(edge));
    }
    if (next.close) conn->Close();
    if (next.leave_edge) {
      edges->Failed(edge.url, Now());
      if (edges->Best(Now()).url != edge.url) {
        std::lock_guard<std::mutex> lock(mu);
        ++stats.failovers;
      }
    }
    if (next.advance) ++number;
    if (next.wait_ms > 0 && !SleepMs(next.wait_ms)) return;
  }
}

}  // namespace onair::player
