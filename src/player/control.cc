// The control thread of a session: where the steering server says to fetch from (and the
// operator's quality cap it carries), and the QoE events posted in batches.
#include <algorithm>

#include "contract/steering.h"
#include "core/log.h"
#include "net/url.h"
#include "player/backoff.h"
#include "player/cmcd.h"
#include "player/session.h"

namespace onair::player {

using std::chrono::milliseconds;

void Player::Impl::PollSteering(std::string* url, UtcMicros* next_at) {
  auto where = net::SplitUrl(*url);
  if (!where.ok()) {
    *next_at = INT64_MAX;
    return;
  }
  std::string target = where->target;
  {
    std::lock_guard<std::mutex> lock(mu);
    target += (target.find('?') == std::string::npos ? "?" : "&");
    target += "_DASH_pathway=" + PercentEncode("\"" + current_edge + "\"") + "&_DASH_throughput=" +
              std::to_string(static_cast<int64_t>(throughput.bits_per_second()));
  }
  net::HttpConnection conn(where->server);
  auto res = conn.Send("GET", target, {}, "", milliseconds(2000));
  int64_t ttl_s = 10;
  if (res.ok() && res->status == 200) {
    auto steering = contract::ParseSteering(res->body);
    if (steering.ok()) {
      ttl_s = steering->ttl_s;
      if (!steering->reload_uri.empty()) *url = ResolveUrl(*url, steering->reload_uri);
      if (!steering->priority.empty()) edges->Steer(steering->priority);
      Cap cap;
      cap.max_bitrate = steering->cap_max_bitrate;
      cap.max_height = static_cast<int>(steering->cap_max_height);
      std::lock_guard<std::mutex> lock(mu);
      if (cap.max_bitrate != steering_cap.max_bitrate ||
          cap.max_height != steering_cap.max_height) {
        Logger("player")->info("quality cap from steering: {} b/s, {} lines", cap.max_bitrate,
                               cap.max_height);
      }
      steering_cap = cap;
    }
  } else if (res.ok()) {
    if (auto wait = ServerRetryMs(*res, Now())) ttl_s = std::max<int64_t>(1, *wait / 1000);
    Error("steering_" + std::to_string(res->status), "");
  } else {
    Error("steering_unreachable", res.status().message());
  }
  *next_at = Now() + ttl_s * 1'000'000;
}

void Player::Impl::PostEvents(net::HttpConnection& conn, const std::string& target) {
  contract::QoeBatch batch;
  batch.events = events.Take();
  if (batch.events.empty()) return;
  batch.session = cfg.session_id;
  batch.event = cfg.event;
  batch.device_type = cfg.device.type;
  batch.region = cfg.device.region;
  auto res = conn.Send("POST", target, {{"Content-Type", "application/json"}},
                       contract::WriteQoeBatch(batch), milliseconds(2000));
  if (res.ok() && res->status / 100 == 2) {
    std::lock_guard<std::mutex> lock(mu);
    stats.events_posted += static_cast<int>(batch.events.size());
    return;
  }
  events.PutBack(std::move(batch.events));  // for the next batch (the oldest go first)
}

// Where the viewer is, each events interval: the metrics service counts concurrent viewers,
// bitrate, buffer and latency from these.
void Player::Impl::Heartbeat() {
  contract::QoeEvent e = NewEvent(contract::QoeType::kHeartbeat);
  {
    std::lock_guard<std::mutex> lock(mu);
    const int64_t pos = playout->position_us();
    const int64_t end = video ? video_buffer.ContiguousEnd(pos) : audio_buffer.ContiguousEnd(pos);
    e.state = playout->state() == Playout::State::kPlaying   ? "playing"
              : playout->state() == Playout::State::kStalled ? "stalled"
                                                             : "starting";
    e.bitrate = stats.last_bitrate_bps;
    e.buffer_ms = (end - pos) / 1000;
    e.latency_ms = playout->LatencyAt(e.at_us) / 1000;
    e.edge = current_edge;
    // Time playing and stalled since the previous heartbeat: watch time and the rebuffering
    // ratio add up over sessions and collectors (docs/metrics.md).
    const int64_t played = playout->played_us(), stalled = playout->StalledUs(e.at_us);
    e.played_ms = std::max<int64_t>(0, played - beat_played_us) / 1000;
    e.stalled_ms = std::max<int64_t>(0, stalled - beat_stalled_us) / 1000;
    beat_played_us = played;
    beat_stalled_us = stalled;
    if (video && played_rung >= 0) {
      const Representation& r = video->representations[static_cast<size_t>(played_rung)];
      e.rendition = r.id;
      e.codec = contract::QoeCodecFamily(r.codecs);
      int top = static_cast<int>(rungs.size()) - 1;
      while (top > 0 && !device_cap.Allows(rungs[static_cast<size_t>(top)])) --top;
      e.top = played_rung >= top ? 1 : 0;
    }
  }
  events.Add(std::move(e));
}

void Player::Impl::Control() {
  std::string steering_url = mpd.steering ? mpd.steering->server_url : "";
  UtcMicros steering_at = steering_url.empty() ? INT64_MAX : Now();
  auto events_where = net::SplitUrl(cfg.service + "/v1/events");
  std::unique_ptr<net::HttpConnection> events_conn;
  if (!cfg.service.empty() && events_where.ok()) {
    events_conn = std::make_unique<net::HttpConnection>(events_where->server);
  }
  UtcMicros events_at = Now() + cfg.events_interval_ms * 1000;
  while (!stop.load()) {
    if (Now() >= steering_at) PollSteering(&steering_url, &steering_at);
    if (events_conn && Now() >= events_at) {
      Heartbeat();
      PostEvents(*events_conn, events_where->target);
      events_at = Now() + cfg.events_interval_ms * 1000;
    }
    SleepMs(100);
  }
  if (events_conn) PostEvents(*events_conn, events_where->target);  // the last ones
}

}  // namespace onair::player
