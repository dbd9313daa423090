// A virtual device's session (docs/loadgen.md, "Virtual devices"): the same steps as the
// headless player (player/plan.h holds what they share), on its loop's thread, without
// decoding.
#include "loadgen/device.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "core/log.h"
#include "media/fmp4.h"
#include "net/url.h"
#include "player/backoff.h"

namespace onair::loadgen {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using namespace player;  // NOLINT: the player's session logic, used throughout

namespace {

constexpr size_t kMaxEvents = 1000;  // kept for the next post; the oldest go first

std::string SessionId(uint64_t seed, uint64_t n) {
  char id[40];
  std::snprintf(id, sizeof(id), "%016llx%016llx", static_cast<unsigned long long>(seed),
                static_cast<unsigned long long>(n));
  return id;
}

std::string EdgeName(const BaseUrl& b) {
  return b.service_location.empty() ? b.url : b.service_location;
}

}  // namespace

VirtualDevice::VirtualDevice(Loop& loop, uint64_t number, const PlannedSession& planned)
    : loop_(loop),
      number_(number),
      planned_(planned),
      device_(DrawDevice(loop.cfg.mix, loop.cfg.seed, number)),
      session_id_(SessionId(loop.cfg.seed, number)),
      scheduled_(loop.run_start + planned.start_us),
      // A session timed by its flow (segments_per_track) ends when the flow is done, or at
      // the run's hard end.
      ends_(loop.cfg.segments_per_track > 0 ? INT64_MAX : loop.run_start + planned.end_us),
      main_timer_(loop.ioc),
      video_timer_(loop.ioc),
      audio_timer_(loop.ioc) {
  device_cap_.max_bitrate = device_.max_bitrate;
}

bool VirtualDevice::Due() const {
  return stopped_ || loop_.stopping || loop_.clock->Now() >= ends_;
}

asio::awaitable<void> VirtualDevice::Sleep(asio::steady_timer& timer, int64_t micros) {
  // A session's waits end with it (a backoff never outlives the schedule's end for it).
  if (!ended_) micros = std::min(micros, ends_ - loop_.clock->Now());
  if (micros <= 0) co_return;
  timer.expires_after(std::chrono::microseconds(micros));
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void VirtualDevice::Stop() {
  stopped_ = true;
  main_timer_.cancel();
  video_timer_.cancel();
  audio_timer_.cancel();
}

contract::QoeEvent VirtualDevice::NewEvent(contract::QoeType type) const {
  contract::QoeEvent e;
  e.type = type;
  e.at_us = loop_.Synced();
  return e;
}

void VirtualDevice::Event(contract::QoeEvent e) {
  if (!loop_.cfg.qoe) return;
  if (events_.size() >= kMaxEvents) events_.erase(events_.begin());
  events_.push_back(std::move(e));
}

void VirtualDevice::Error(const std::string& kind, const std::string& detail) {
  const int64_t second = loop_.SecondNow();
  loop_.Record([&](RunStats& s) { s.Error(kind, second); });
  contract::QoeEvent e = NewEvent(contract::QoeType::kError);
  e.kind = kind;
  e.detail = detail.substr(0, 200);
  e.edge = current_edge_;
  Event(std::move(e));
}

// ----- the play start -----

asio::awaitable<Status> VirtualDevice::Start() {
  const DevicesConfig& cfg = loop_.cfg;
  const std::string target = "/v1/playback/" + cfg.scenario.event;
  const std::string body = DeviceJson(device_);
  Backoff backoff(250, 8'000, cfg.seed ^ number_);
  UtcMicros intended = scheduled_;  // latency counts from when the request was due
  std::string manifest;
  while (true) {
    if (Due()) co_return Cancelled("the session ended before it started");
    loop_.Record([&](RunStats& s) { ++s.At(loop_.SecondNow()).play_sent; });
    auto res =
        co_await loop_.service->Send("POST", target, PlayStartHeaders(), body, milliseconds(5000));
    const UtcMicros now = loop_.clock->Now();
    const ManifestAnswer answer = ReadManifestAnswer(res, loop_.Synced());
    const bool shed = res.ok() && res->status == 503;
    const bool told = shed && !net::HeaderValue(res->headers, "Retry-After").empty();
    loop_.Record([&](RunStats& s) {
      s.Latency("play", static_cast<double>(now - intended) / 1e3);
      SecondRow& row = s.At(loop_.SecondNow());
      if (answer.kind == ManifestAnswer::kManifest) ++row.play_ok;
      if (shed) ++row.shed;
      if (shed && !told) ++row.shed_no_wait;
    });
    if (answer.kind == ManifestAnswer::kManifest) {
      manifest = std::move(res->body);
      break;
    }
    Error(answer.error_kind, res.ok() ? res->body.substr(0, 200) : res.status().message());
    if (answer.kind == ManifestAnswer::kRefused) {
      co_return InvalidArgument("the play start was refused (" + std::to_string(res->status) + ")");
    }
    if (backoff.attempts() >= 8) co_return Unavailable("no manifest after 8 attempts");
    const int64_t ms = answer.retry_ms ? *answer.retry_ms : backoff.NextMs();
    if (answer.retry_ms) backoff.NextMs();  // counts the attempt
    intended = loop_.clock->Now() + ms * 1000;
    co_await Sleep(main_timer_, ms * 1000);
  }
  auto parsed = ParseMpd(manifest, cfg.scenario.target + target);
  if (!parsed.ok()) co_return parsed.status();
  mpd_ = std::move(*parsed);
  auto plan = PlanSession(mpd_, device_, cfg.audio, cfg.target_latency_ms);
  if (!plan.ok()) co_return plan.status();
  plan_ = std::move(*plan);
  edges_ = std::make_unique<EdgeSet>(mpd_.base_urls);
  if (plan_.video && !cfg.lowest_rung) {
    abr_ =
        std::make_unique<AbrController>(plan_.rungs, static_cast<double>(plan_.segment_us) / 1e6);
  }
  playout_ = std::make_unique<Playout>(plan_.Playout(), plan_.zero);
  playout_->SetStart(plan_.StartPosition(loop_.Synced()));
  if (cfg.steering && mpd_.steering) {
    steering_url_ = mpd_.steering->server_url;
    next_steering_ = loop_.Synced();
  }
  next_beat_ = loop_.Synced() + cfg.events_interval_ms * 1000;
  co_return Status::Ok();
}

// ----- a track's segments -----

void VirtualDevice::TakeChunk(const media::Chunk& c, int64_t transfer_us,
                              const media::TrackTiming& track, const AdaptationSet& set,
                              bool is_video) {
  const double pto_us = static_cast<double>(set.segments.presentation_time_offset) * 1e6 /
                        static_cast<double>(set.segments.timescale);
  const auto start =
      static_cast<int64_t>(static_cast<double>(c.decode_time) * 1e6 / track.timescale - pto_us);
  const int64_t end = start + c.duration * 1'000'000 / track.timescale;
  throughput_.Add(static_cast<int64_t>(c.size), transfer_us);
  (is_video ? video_buffer_ : audio_buffer_).Add(start, end);
}

asio::awaitable<void> VirtualDevice::Track(const AdaptationSet& set, bool is_video,
                                           int64_t number) {
  const DevicesConfig& cfg = loop_.cfg;
  asio::steady_timer& timer = is_video ? video_timer_ : audio_timer_;
  std::unique_ptr<net::HttpClient>& conn = is_video ? video_conn_ : audio_conn_;
  TrackBuffer& buffer = is_video ? video_buffer_ : audio_buffer_;
  std::string conn_server;
  std::map<std::string, media::TrackTiming> inits;  // by rendition
  Backoff backoff(100, 4'000, cfg.seed ^ (number_ * 4 + (is_video ? 1 : 2)));
  int failures_in_a_row = 0;
  int fetched = 0;
  const int64_t d = plan_.segment_us;
  const milliseconds idle(d / 1000 + 1000);
  while (!Due()) {
    const int64_t position = playout_->position_us();
    const Playout::State state = playout_->state();
    if (state == Playout::State::kPlaying && plan_.SegmentStart(set, number) + d <= position) {
      number = plan_.SegmentAt(set, position);  // behind the playhead after a long stall
      continue;
    }
    const int64_t start = plan_.SegmentStart(set, number);
    if (start - position > plan_.target_latency_us + 2 * d && state != Playout::State::kWaiting) {
      co_await Sleep(timer, 200'000);
      continue;
    }
    co_await Sleep(timer, plan_.ReadyAt(set, number) - loop_.Synced());
    if (Due()) break;

    int rung = static_cast<int>(set.representations.size()) - 1;
    if (is_video) {
      rung = abr_ ? abr_->Choose(plan_.AbrInputFor(
                        static_cast<double>(buffer.ContiguousEnd(position) - position) / 1e6,
                        throughput_.bits_per_second(), device_cap_, steering_cap_))
                  : 0;
      rung_of_segment_[number] = rung;
    }
    const Representation& rep = set.representations[static_cast<size_t>(rung)];
    const BaseUrl edge = edges_->Best(loop_.Synced());
    auto init_url = SegmentUrl(edge, set, rep, -1, nullptr);
    auto where =
        init_url.ok() ? net::SplitUrl(*init_url) : StatusOr<net::Endpoint>(init_url.status());
    if (!where.ok()) {
      Error("bad_manifest", "cannot make a URL for " + rep.id);
      break;
    }
    const std::string server =
        where->server.scheme + "://" + where->server.host + ":" + where->server.port;
    if (!conn || server != conn_server) {
      conn = std::make_unique<net::HttpClient>(loop_.ioc.get_executor(), where->server);
      conn_server = server;
    }
    SegmentFetch f;
    auto init = inits.find(rep.id);
    if (init == inits.end()) {
      const UtcMicros asked = loop_.clock->Now();
      const auto res = co_await conn->Send("GET", where->target, {}, "", idle);
      const double ms = static_cast<double>(loop_.clock->Now() - asked) / 1e3;
      loop_.Record([&](RunStats& s) { s.Latency("init", ms); });
      StatusOr<media::TrackTiming> info =
          !res.ok() ? StatusOr<media::TrackTiming>(res.status())
          : res->status != 200
              ? StatusOr<media::TrackTiming>(Unavailable("HTTP " + std::to_string(res->status)))
              : media::ReadInit(res->body);
      if (info.ok()) {
        init = inits.emplace(rep.id, *info).first;
      } else {
        f.error_kind = "init";
        f.detail = info.status().message();
      }
    }
    if (init != inits.end()) {
      Cmcd cmcd = SegmentCmcd(plan_, set, rep, number, cfg.scenario.event, session_id_);
      cmcd.buffer_ms = (buffer.ContiguousEnd(position) - position) / 1000;
      cmcd.throughput_kbps = static_cast<int64_t>(throughput_.bits_per_second() / 1000);
      cmcd.startup = playout_->state() == Playout::State::kWaiting;
      cmcd.buffer_starvation = starved_ && is_video;
      if (is_video) starved_ = false;
      cmcd.playback_rate = playout_->rate();
      auto media_url = SegmentUrl(edge, set, rep, number, &cmcd);
      auto media_where =
          media_url.ok() ? net::SplitUrl(*media_url) : StatusOr<net::Endpoint>(media_url.status());
      if (!media_where.ok()) {
        Error("bad_manifest", "cannot make a URL for " + rep.id);
        break;
      }
      const media::TrackTiming track = init->second;
      const UtcMicros asked = loop_.clock->Now();
      SegmentReceiver receiver(
          track, d / 1000,
          [&](const media::Chunk& c, int64_t transfer_us) {
            TakeChunk(c, transfer_us, track, set, is_video);
            return !Due();
          },
          loop_.clock, /*keep_bytes=*/false);
      net::StreamHandler h = receiver.Handler();
      auto on_head = std::move(h.on_head);
      h.on_head = [&, on_head](int status, const net::Headers& headers) {
        const double ms = static_cast<double>(loop_.clock->Now() - asked) / 1e3;
        loop_.Record([&](RunStats& s) { s.Latency("segment", ms); });
        return on_head(status, headers) && !Due();
      };
      const milliseconds header_wait = idle;
      const Status s =
          co_await conn->StreamGet(media_where->target, {}, std::move(h), header_wait, idle);
      f = receiver.Finish(s, media_where->target);
      if (f.kind == SegmentFetch::kDone) {
        const int64_t bytes = receiver.bytes();
        loop_.Record([&](RunStats& st) {
          SecondRow& row = st.At(loop_.SecondNow());
          ++row.segments;
          row.bytes += bytes;
        });
        current_edge_ = EdgeName(edge);
        if (cfg.segments_per_track > 0 && ++fetched >= cfg.segments_per_track) {
          ++tracks_done_;
          break;
        }
      }
    }
    if (Due()) break;
    const FetchOutcome next = AfterSegment(f, loop_.Synced() > plan_.zero + start + 3 * d,
                                           edges_->size(), &failures_in_a_row, &backoff);
    if (!next.error.empty()) Error(next.error, EdgeName(edge) + ": " + f.detail);
    if (next.close) conn.reset();
    if (next.leave_edge) edges_->Failed(edge.url, loop_.Synced());
    if (next.advance) ++number;
    if (next.wait_ms > 0) co_await Sleep(timer, next.wait_ms * 1000);
  }
}

// ----- the ticker's work -----

void VirtualDevice::Tick() {
  if (!playout_ || stopped_) return;
  const UtcMicros now = loop_.Synced();
  const int64_t pos = playout_->position_us();
  int64_t end = plan_.video ? video_buffer_.ContiguousEnd(pos) : INT64_MAX;
  if (plan_.audio) end = std::min(end, audio_buffer_.ContiguousEnd(pos));
  const Playout::State before = playout_->state();
  const bool changed = playout_->Tick(now, end);
  const Playout::State after = playout_->state();
  if (after != Playout::State::kPlaying) {
    std::vector<const TrackBuffer*> tracks;
    if (plan_.video) tracks.push_back(&video_buffer_);
    if (plan_.audio) tracks.push_back(&audio_buffer_);
    const int64_t next = HoleSkip(tracks, pos, plan_.segment_us);
    if (next >= 0) playout_->SkipTo(next);
  }
  if (changed && before == Playout::State::kWaiting) {
    const double ttff_ms = static_cast<double>(loop_.clock->Now() - scheduled_) / 1e3;
    loop_.Record([&](RunStats& s) {
      s.Latency("start", ttff_ms);
      ++s.counts["started"];
      ++s.At(loop_.SecondNow()).started;
    });
    contract::QoeEvent e = NewEvent(contract::QoeType::kStart);
    e.ttff_ms = ttff_ms;
    e.edge = current_edge_;
    Event(std::move(e));
  }
  if (changed && after == Playout::State::kStalled) starved_ = true;
  if (changed && before == Playout::State::kStalled && after == Playout::State::kPlaying) {
    loop_.Record([](RunStats& s) { ++s.counts["rebuffers"]; });
    contract::QoeEvent e = NewEvent(contract::QoeType::kRebuffer);
    e.duration_ms = static_cast<double>(playout_->last_rebuffer_us()) / 1e3;
    e.edge = current_edge_;
    Event(std::move(e));
  }
  const int64_t shown = playout_->position_us();
  if (plan_.video && after == Playout::State::kPlaying) {
    const int64_t number = plan_.SegmentAt(*plan_.video, shown);
    auto r = rung_of_segment_.find(number);
    if (r != rung_of_segment_.end()) played_rung_ = r->second;
    while (!rung_of_segment_.empty() && rung_of_segment_.begin()->first < number - 4) {
      rung_of_segment_.erase(rung_of_segment_.begin());
    }
  }
  video_buffer_.ForgetBefore(shown - 4 * plan_.segment_us);
  audio_buffer_.ForgetBefore(shown - 4 * plan_.segment_us);
  if (now >= next_beat_) {
    next_beat_ = now + loop_.cfg.events_interval_ms * 1000;
    contract::QoeEvent e = NewEvent(contract::QoeType::kHeartbeat);
    const int64_t buffered = (plan_.video ? video_buffer_ : audio_buffer_).ContiguousEnd(shown);
    FillHeartbeat(&e, *playout_, buffered - shown, &beat_played_us_, &beat_stalled_us_);
    e.edge = current_edge_;
    if (plan_.video && played_rung_ >= 0) {
      const Representation& r = plan_.video->representations[static_cast<size_t>(played_rung_)];
      e.rendition = r.id;
      e.bitrate = r.bandwidth;
      e.codec = contract::QoeCodecFamily(r.codecs);
      int top = static_cast<int>(plan_.rungs.size()) - 1;
      while (top > 0 && !device_cap_.Allows(plan_.rungs[static_cast<size_t>(top)])) --top;
      e.top = played_rung_ >= top ? 1 : 0;
    }
    Event(std::move(e));
    if (loop_.cfg.qoe && !posting_) {
      asio::co_spawn(
          loop_.ioc, [self = shared_from_this()]() { return self->PostEvents(); }, asio::detached);
    }
  }
  if (now >= next_steering_ && !steering_busy_) {
    steering_busy_ = true;
    asio::co_spawn(
        loop_.ioc, [self = shared_from_this()]() { return self->PollSteering(); }, asio::detached);
  }
}

asio::awaitable<void> VirtualDevice::PollSteering() {
  auto where = net::SplitUrl(
      SteeringRequestUrl(steering_url_, current_edge_, throughput_.bits_per_second()));
  if (!where.ok()) {
    next_steering_ = INT64_MAX;
    steering_busy_ = false;
    co_return;
  }
  const UtcMicros asked = loop_.clock->Now();
  // The service's pool when the steering server is the service (onair's), else its own.
  StatusOr<net::Response> res = Unavailable("no connection");
  if (where->server.host == loop_.service->server().host &&
      where->server.port == loop_.service->server().port) {
    res = co_await loop_.service->Send("GET", where->target, {}, "", milliseconds(2000));
  } else {
    net::HttpClient own(loop_.ioc.get_executor(), where->server);
    res = co_await own.Send("GET", where->target, {}, "", milliseconds(2000));
  }
  const double ms = static_cast<double>(loop_.clock->Now() - asked) / 1e3;
  loop_.Record([&](RunStats& s) { s.Latency("steering", ms); });
  const SteeringUpdate u = ReadSteeringAnswer(res, steering_url_, loop_.Synced());
  steering_url_ = u.next_url;
  next_steering_ = loop_.Synced() + u.ttl_s * 1'000'000;
  if (u.ok) {
    if (!u.priority.empty()) edges_->Steer(u.priority);
    steering_cap_ = u.cap;
  } else if (u.error_kind != "steering_bad") {
    Error(u.error_kind, u.detail);
  }
  steering_busy_ = false;
}

asio::awaitable<void> VirtualDevice::PostEvents() {
  if (events_.empty() || posting_) co_return;
  posting_ = true;
  contract::QoeBatch batch;
  batch.events = std::move(events_);
  events_.clear();
  batch.session = session_id_;
  batch.event = loop_.cfg.scenario.event;
  batch.device_type = device_.type;
  batch.region = device_.region;
  const UtcMicros asked = loop_.clock->Now();
  net::Headers headers = {{"Content-Type", "application/json"}};
  std::string body = contract::WriteQoeBatch(batch);
  const auto res = co_await loop_.events->Send("POST", loop_.events_target, std::move(headers),
                                               std::move(body), milliseconds(2000));
  const double ms = static_cast<double>(loop_.clock->Now() - asked) / 1e3;
  const bool ok = res.ok() && res->status / 100 == 2;
  loop_.Record([&](RunStats& s) {
    s.Latency("events", ms);
    if (!ok)
      s.Error(res.ok() ? "events_" + std::to_string(res->status) : "events_unreachable",
              loop_.SecondNow());
  });
  if (!ok) {  // kept for the next post, the oldest dropped past the bound
    batch.events.insert(batch.events.end(), std::make_move_iterator(events_.begin()),
                        std::make_move_iterator(events_.end()));
    events_ = std::move(batch.events);
    if (events_.size() > kMaxEvents) events_.erase(events_.begin(), events_.end() - kMaxEvents);
  }
  posting_ = false;
}

// ----- the session -----

void VirtualDevice::End(bool fatal, const std::string& why) {
  ended_ = true;
  const bool started = playout_ && playout_->started_at() != 0;
  if (fatal && !started) {
    contract::QoeEvent e = NewEvent(contract::QoeType::kError);
    e.kind = "start";
    e.detail = why.substr(0, 200);
    e.fatal = 1;
    Event(std::move(e));
  }
  contract::QoeEvent e = NewEvent(contract::QoeType::kEnd);
  e.played_s = playout_ ? static_cast<double>(playout_->played_us()) / 1e6 : 0;
  e.rebuffers = playout_ ? playout_->rebuffers() : 0;
  e.started = started ? 1 : 0;
  e.fatal = fatal ? 1 : 0;
  Event(std::move(e));
  loop_.Record([&](RunStats& s) {
    if (!started) ++s.counts["not_started"];
    if (fatal) ++s.counts["failed"];
    --s.running;
  });
}

asio::awaitable<void> VirtualDevice::Run(std::shared_ptr<VirtualDevice> self) {
  using namespace asio::experimental::awaitable_operators;  // NOLINT
  VirtualDevice& d = *self;
  Loop& loop = d.loop_;
  co_await d.Sleep(d.main_timer_, d.scheduled_ - loop.clock->Now());
  if (d.Due()) co_return;  // stopped before its time: never started
  const int64_t second = d.planned_.start_us / 1'000'000;
  loop.Record([&](RunStats& s) {
    ++s.counts["sessions"];
    if (d.planned_.restart) ++s.counts["restarts"];
    ++s.At(second).scheduled;
    ++s.running;
  });
  d.slot = loop.live.size();
  loop.live.push_back(self);

  const Status started = co_await d.Start();
  if (started.ok()) {
    const int64_t from = d.plan_.StartPosition(loop.Synced());
    const AdaptationSet* video = d.plan_.video;
    const AdaptationSet* audio = d.plan_.audio;
    if (video && audio) {
      co_await (d.Track(*video, true, d.plan_.SegmentAt(*video, from)) &&
                d.Track(*audio, false, d.plan_.SegmentAt(*audio, from)));
    } else if (video) {
      co_await d.Track(*video, true, d.plan_.SegmentAt(*video, from));
    } else {
      co_await d.Track(*audio, false, d.plan_.SegmentAt(*audio, from));
    }
  } else if (started.code() != StatusCode::kCancelled) {
    Logger("loadgen")->debug("session {}: {}", d.session_id_, started.message());
  }
  const int tracks = (d.plan_.video ? 1 : 0) + (d.plan_.audio ? 1 : 0);
  if (loop.cfg.segments_per_track > 0 && started.ok() && d.tracks_done_ == tracks) {
    // The whole flow of a play start: answer, manifest, init and first segments.
    const double ms = static_cast<double>(loop.clock->Now() - d.scheduled_) / 1e3;
    loop.Record([&](RunStats& s) {
      s.Latency("flow", ms);
      ++s.counts["flows"];
    });
  }
  const bool failed = !started.ok() && started.code() != StatusCode::kCancelled;
  d.End(failed, started.message());
  // Off the ticker's list, then the last events (after a post in flight).
  loop.live.back()->slot = d.slot;
  std::swap(loop.live[d.slot], loop.live.back());
  loop.live.pop_back();
  for (int i = 0; i < 50 && d.posting_; ++i) co_await d.Sleep(d.main_timer_, 100'000);
  d.stopped_ = true;
  if (loop.cfg.qoe) co_await d.PostEvents();
}

}  // namespace onair::loadgen
