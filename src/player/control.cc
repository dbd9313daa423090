// The control thread of a session: where the steering server says to fetch from (and the
// operator's quality cap it carries), and the QoE events posted in batches.
#include <algorithm>

#include "core/log.h"
#include "net/url.h"
#include "player/backoff.h"
#include "player/cmcd.h"
#include "player/plan.h"
#include "player/session.h"

namespace onair::player {

using std::chrono::milliseconds;

void Player::Impl::PollSteering(std::string* url, UtcMicros* next_at) {
  std::string pathway;
  double throughput_bps = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    pathway = current_edge;
    throughput_bps = throughput.bits_per_second();
  }
  auto where = net::SplitUrl(SteeringRequestUrl(*url, pathway, throughput_bps));
  if (!where.ok()) {
    *next_at = INT64_MAX;
    return;
  }
  net::HttpConnection conn(where->server);
  const auto res = conn.Send("GET", where->target, {}, "", milliseconds(2000));
  const SteeringUpdate u = ReadSteeringAnswer(res, *url, Now());
  *url = u.next_url;
  *next_at = Now() + u.ttl_s * 1'000'000;
  if (!u.ok) {
    if (u.error_kind != "steering_bad") Error(u.error_kind, u.detail);
    return;
  }
  if (!u.priority.empty()) edges->Steer(u.priority);
  std::lock_guard<std::mutex> lock(mu);
  if (u.cap.max_bitrate != steering_cap.max_bitrate ||
      u.cap.max_height != steering_cap.max_height) {
    Logger("player")->info("quality cap from steering: {} b/s, {} lines", u.cap.max_bitrate,
                           u.cap.max_height);
  }
  steering_cap = u.cap;
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
    FillHeartbeat(&e, *playout, end - pos, &beat_played_us, &beat_stalled_us);
    e.bitrate = stats.last_bitrate_bps;
    e.edge = current_edge;
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
