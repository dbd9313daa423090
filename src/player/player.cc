// The headless player (docs/player.md): a session's start (the manifest, the clock, where to
// begin) and its playout, ticked every 50 ms; the fetchers (track.cc) and the control thread
// (control.cc) run beside it.
#include "player/player.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "contract/device.h"
#include "contract/headers.h"
#include "core/log.h"
#include "net/url.h"
#include "player/backoff.h"
#include "player/clock_sync.h"
#include "player/plan.h"
#include "player/session.h"

namespace onair::player {
namespace {

using std::chrono::milliseconds;

constexpr int64_t kTick = 50'000;  // the playout's step

}  // namespace

contract::Device DeviceOf(const DeviceProfile& d) {
  contract::Device out;
  out.id = d.id;
  out.type = d.type;
  for (const std::string& c : d.codecs) {
    out.avc = out.avc || c == "avc" || c == "h264" || c == "avc1" || c == "avc3";
    out.hevc = out.hevc || c == "hevc" || c == "h265" || c == "hvc1" || c == "hev1";
  }
  out.max_width = d.max_width;
  out.max_height = d.max_height;
  out.max_bitrate = d.max_bitrate;
  out.region = d.region;
  return out;
}

std::string DeviceJson(const DeviceProfile& d) { return contract::WriteDevice(DeviceOf(d)); }

Player::Impl::Impl(PlayerConfig c, Clock* cl) : cfg(std::move(c)), clock(cl) {
  if (cfg.session_id.empty()) {
    std::random_device rd;
    char id[33];
    std::snprintf(id, sizeof(id), "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
    cfg.session_id = id;
  }
  if (cfg.device.id.empty()) cfg.device.id = cfg.session_id;
  if (cfg.seed == 0) cfg.seed = std::hash<std::string>{}(cfg.session_id);
}

bool Player::Impl::SleepUntil(UtcMicros t) {
  std::unique_lock<std::mutex> lock(wake_mu);
  while (!stop.load()) {
    const int64_t left = t - Now();
    if (left <= 0) return true;
    wake.wait_for(lock, std::chrono::microseconds(std::min<int64_t>(left, 100'000)));
  }
  return false;
}

std::string Player::Impl::EdgeName(const BaseUrl& b) const {
  return b.service_location.empty() ? b.url : b.service_location;
}

contract::QoeEvent Player::Impl::NewEvent(contract::QoeType type) const {
  contract::QoeEvent e;
  e.type = type;
  e.at_us = Now();
  return e;
}

void Player::Impl::Error(const std::string& kind, const std::string& detail,
                         const std::string& edge) {
  {
    std::lock_guard<std::mutex> lock(mu);
    ++stats.errors[kind];
  }
  Logger("player")->debug("{}: {}", kind, detail);
  contract::QoeEvent e = NewEvent(contract::QoeType::kError);
  e.kind = kind;
  e.detail = detail.substr(0, 200);
  e.edge = edge;
  events.Add(std::move(e));
}

// Where the manifest comes from: the playback service (POST, the device's description), or a
// manifest URL (GET).
std::string Player::Impl::ManifestUrl() const {
  return cfg.mpd_url.empty() ? cfg.service + "/v1/playback/" + cfg.event : cfg.mpd_url;
}

StatusOr<std::string> Player::Impl::FetchManifest() {
  auto where = net::SplitUrl(ManifestUrl());
  if (!where.ok()) return where.status();
  net::HttpConnection conn(where->server);
  Backoff backoff(250, 8'000, cfg.seed);
  const bool post = cfg.mpd_url.empty();
  const std::string body = post ? DeviceJson(cfg.device) : std::string();
  const net::Headers headers = post ? PlayStartHeaders() : net::Headers{};
  while (!stop.load()) {
    auto res = conn.Send(post ? "POST" : "GET", where->target, headers, body, milliseconds(5000));
    const ManifestAnswer answer = ReadManifestAnswer(res, clock->Now());
    if (answer.kind == ManifestAnswer::kManifest) return std::move(res->body);
    if (answer.kind == ManifestAnswer::kRefused) {
      return InvalidArgument("the manifest request was refused (" + std::to_string(res->status) +
                             "): " + res->body.substr(0, 300));
    }
    Error(answer.error_kind, res.ok() ? res->body.substr(0, 200) : res.status().message());
    if (backoff.attempts() >= 8) return Unavailable("no manifest after 8 attempts");
    const int64_t ms = answer.retry_ms ? *answer.retry_ms : backoff.NextMs();
    if (answer.retry_ms) backoff.NextMs();  // counts the attempt
    if (!SleepMs(ms)) break;
  }
  return Cancelled("stopped");
}

// The offset of the server's clock from ours, from the manifest's UTCTiming (0 if none
// answers: the machines are then assumed in sync, and that is logged).
void Player::Impl::SyncClock() {
  auto sync = player::SyncClock(mpd.utc_timings, ManifestUrl(), clock);
  if (!sync.ok()) {
    Error("clock_sync", "no UTCTiming source answered: using the local clock");
    return;
  }
  clock_offset_us = sync->offset_us;
  Logger("player")->info("clock: {:+.3f} s from {} (round trip {:.1f} ms)",
                         static_cast<double>(clock_offset_us) / 1e6, sync->source,
                         static_cast<double>(sync->rtt_us) / 1e3);
}

// ----- the playout, every tick -----
// A hole at the playhead that will not fill (a segment gone, or a stream that began after
// the start point), with media after it: on to that media, as a viewer would want.
void Player::Impl::SkipHole(int64_t pos) {
  std::vector<const TrackBuffer*> tracks;
  if (video) tracks.push_back(&video_buffer);
  if (audio) tracks.push_back(&audio_buffer);
  const int64_t next = HoleSkip(tracks, pos, segment_us);
  if (next < 0) return;
  Logger("player")->info("skipping {:.2f} s of media that will not come",
                         static_cast<double>(next - pos) / 1e6);
  playout->SkipTo(next);
}

void Player::Impl::Tick() {
  std::lock_guard<std::mutex> lock(mu);
  const UtcMicros now = Now();
  const int64_t pos = playout->position_us();
  int64_t end = video ? video_buffer.ContiguousEnd(pos) : INT64_MAX;
  if (audio) end = std::min(end, audio_buffer.ContiguousEnd(pos));
  const Playout::State before = playout->state();
  const bool changed = playout->Tick(now, end);
  const Playout::State after = playout->state();
  if (after != Playout::State::kPlaying) SkipHole(pos);
  if (changed && before == Playout::State::kWaiting) {
    stats.ttff_ms = static_cast<double>(now - clock_offset_us - run_started) / 1e3;
    contract::QoeEvent e = NewEvent(contract::QoeType::kStart);
    e.ttff_ms = stats.ttff_ms;
    e.edge = current_edge;
    events.Add(std::move(e));
  }
  if (changed && after == Playout::State::kStalled) starved = true;
  if (changed && before == Playout::State::kStalled && after == Playout::State::kPlaying) {
    const double s = static_cast<double>(playout->last_rebuffer_us()) / 1e6;
    stats.longest_rebuffer_s = std::max(stats.longest_rebuffer_s, s);
    contract::QoeEvent e = NewEvent(contract::QoeType::kRebuffer);
    e.duration_ms = s * 1e3;
    e.edge = current_edge;
    events.Add(std::move(e));
  }
  if (playout->state() != Playout::State::kPlaying) return;
  // What is on screen: its rendition (switches, average bitrate) and its latency.
  const int64_t shown = playout->position_us();
  if (video) {
    const int64_t number = SegmentAt(*video, shown);
    auto r = rung_of_segment.find(number);
    if (r != rung_of_segment.end()) {
      const int64_t bps = rungs[static_cast<size_t>(r->second)].bandwidth;
      if (played_rung >= 0 && r->second != played_rung) {
        ++stats.switches;
        contract::QoeEvent e = NewEvent(contract::QoeType::kSwitch);
        e.from = video->representations[static_cast<size_t>(played_rung)].id;
        e.to = video->representations[static_cast<size_t>(r->second)].id;
        e.bitrate = bps;
        events.Add(std::move(e));
      }
      played_rung = r->second;
      bitrate_seconds +=
          static_cast<double>(bps) * static_cast<double>(shown - playout->last_from()) / 1e6;
      stats.last_bitrate_bps = bps;
      stats.max_bitrate_played_bps = std::max(stats.max_bitrate_played_bps, bps);
    }
    auto c = capture_of_chunk.upper_bound(shown);
    if (c != capture_of_chunk.begin()) {
      --c;
      const UtcMicros captured = c->second + (shown - c->first);
      latency_samples.push_back(static_cast<double>(now - captured) / 1e6);
    }
    // Forget what is long played.
    while (!capture_of_chunk.empty() && capture_of_chunk.begin()->first < shown - 4 * segment_us)
      capture_of_chunk.erase(capture_of_chunk.begin());
    while (!rung_of_segment.empty() && rung_of_segment.begin()->first < number - 4)
      rung_of_segment.erase(rung_of_segment.begin());
    video_buffer.ForgetBefore(shown - 4 * segment_us);
    if (audio) audio_buffer.ForgetBefore(shown - 4 * segment_us);
  }
}

Status Player::Impl::Run() {
  const Status s = Session();
  if (!s.ok() && !control_started) ReportEarlyFailure(s);
  return s;
}

void Player::Impl::ReportEarlyFailure(const Status& why) {
  auto where = net::SplitUrl(cfg.service + "/v1/events");
  if (cfg.service.empty() || !where.ok()) return;
  {
    std::lock_guard<std::mutex> lock(mu);
    contract::QoeEvent e = NewEvent(contract::QoeType::kError);
    e.kind = "start";
    e.detail = why.message().substr(0, 200);
    e.fatal = 1;
    events.Add(std::move(e));
    contract::QoeEvent end = NewEvent(contract::QoeType::kEnd);
    end.played_s = 0;
    end.rebuffers = 0;
    end.started = 0;
    end.fatal = 1;
    events.Add(std::move(end));
  }
  net::HttpConnection conn(where->server);
  PostEvents(conn, where->target);
}

Status Player::Impl::Session() {
  run_started = clock->Now();
  auto body = FetchManifest();
  if (!body.ok()) return body.status();
  auto parsed = ParseMpd(*body, ManifestUrl());
  if (!parsed.ok()) return parsed.status();
  mpd = std::move(*parsed);
  auto planned = PlanSession(mpd, cfg.device, cfg.audio, cfg.target_latency_ms);
  if (!planned.ok()) return planned.status();
  plan = std::move(*planned);
  video = plan.video;
  audio = plan.audio;
  segment_us = plan.segment_us;
  target_latency_us = plan.target_latency_us;
  zero = plan.zero;
  rungs = plan.rungs;
  if (video) abr = std::make_unique<AbrController>(rungs, static_cast<double>(segment_us) / 1e6);
  device_cap.max_bitrate = cfg.device.max_bitrate;
  SyncClock();
  edges = std::make_unique<EdgeSet>(mpd.base_urls);

  // Start at the target latency behind the live edge, from the start of its segment.
  const int64_t start = plan.StartPosition(Now());
  {
    std::lock_guard<std::mutex> lock(mu);  // StatusLine reads it from another thread
    playout = std::make_unique<Playout>(plan.Playout(), zero);
    playout->SetStart(start);
  }
  Logger("player")->info("playing {} from {} edge(s), target latency {:.1f} s, D {:.1f} s",
                         cfg.event, edges->size(), static_cast<double>(target_latency_us) / 1e6,
                         static_cast<double>(segment_us) / 1e6);

  std::vector<std::thread> threads;
  if (video) {
    threads.emplace_back([this, start] { FetchTrack(*video, true, SegmentAt(*video, start)); });
  }
  if (audio) {
    threads.emplace_back([this, start] { FetchTrack(*audio, false, SegmentAt(*audio, start)); });
  }
  threads.emplace_back([this] { Control(); });
  control_started = true;

  Status result = Status::Ok();
  UtcMicros next_tick = clock->Now();
  while (!stop.load()) {
    Tick();
    {
      std::lock_guard<std::mutex> lock(mu);
      const UtcMicros started = playout->started_at();
      if (started == 0 && clock->Now() - run_started > cfg.start_timeout_us) {
        result = DeadlineExceeded("no first frame after " +
                                  std::to_string(cfg.start_timeout_us / 1'000'000) + " s");
        break;
      }
      if (started != 0 && cfg.duration_us > 0 && Now() - started >= cfg.duration_us) break;
    }
    next_tick += kTick;
    if (!SleepUntil(next_tick + clock_offset_us)) break;
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!result.ok()) {  // the failure that ended the session, for the start-failure rate
      contract::QoeEvent e = NewEvent(contract::QoeType::kError);
      e.kind = "start-timeout";
      e.detail = result.message();
      e.fatal = 1;
      events.Add(std::move(e));
    }
    contract::QoeEvent e = NewEvent(contract::QoeType::kEnd);
    e.played_s = static_cast<double>(playout->played_us()) / 1e6;
    e.rebuffers = playout->rebuffers();
    e.started = playout->started_at() != 0 ? 1 : 0;
    e.fatal = result.ok() ? 0 : 1;
    events.Add(std::move(e));
  }
  stop = true;
  wake.notify_all();
  for (std::thread& t : threads) t.join();
  return result;
}

Player::Player(PlayerConfig config, Clock* clock)
    : impl_(std::make_unique<Impl>(std::move(config), clock)) {}
Player::~Player() { Stop(); }

Status Player::Run() { return impl_->Run(); }

void Player::Stop() {
  impl_->stop = true;
  impl_->wake.notify_all();
}

QoeSummary Player::Summary() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  QoeSummary s = impl_->stats;
  s.session = impl_->cfg.session_id;
  s.event = impl_->cfg.event;
  if (impl_->playout) {
    s.played_s = static_cast<double>(impl_->playout->played_us()) / 1e6;
    s.rebuffers = impl_->playout->rebuffers();
    s.rebuffer_s = static_cast<double>(impl_->playout->rebuffer_us()) / 1e6;
  }
  if (s.played_s > 0) s.avg_bitrate_bps = impl_->bitrate_seconds / s.played_s;
  s.latency_s = PercentilesOf(impl_->latency_samples);
  s.arrival_s = PercentilesOf(impl_->arrival_samples);
  s.events_dropped = impl_->events.dropped();
  return s;
}

std::string Player::StatusLine() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const Impl& p = *impl_;
  if (!p.playout) return "starting: asking for the manifest";
  const UtcMicros now = p.Now();
  const int64_t pos = p.playout->position_us();
  const int64_t buffer = (p.video ? p.video_buffer.ContiguousEnd(pos) : pos) - pos;
  const char* state = p.playout->state() == Playout::State::kPlaying   ? "playing"
                      : p.playout->state() == Playout::State::kStalled ? "STALLED"
                                                                       : "starting";
  std::string rendition = "-";
  if (p.video && p.played_rung >= 0) {
    rendition = p.video->representations[static_cast<size_t>(p.played_rung)].id;
  }
  int errors = 0;
  for (const auto& [k, n] : p.stats.errors) errors += n;
  char line[320];
  std::snprintf(line, sizeof(line),
                "%-8s %6.1f s  %-10s %6.2f Mb/s  buffer %4.1f s  latency %4.1f s  edge %-12s "
                "rebuffers %d  switches %d  errors %d",
                state, static_cast<double>(p.playout->played_us()) / 1e6, rendition.c_str(),
                static_cast<double>(p.stats.last_bitrate_bps) / 1e6,
                static_cast<double>(buffer) / 1e6,
                static_cast<double>(p.playout->LatencyAt(now)) / 1e6, p.current_edge.c_str(),
                p.playout->rebuffers(), p.stats.switches, errors);
  return line;
}

}  // namespace onair::player
