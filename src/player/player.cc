#include "player/player.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "core/log.h"
#include "media/segment_decoder.h"
#include "net/http_client.h"
#include "net/url.h"
#include "player/abr.h"
#include "player/backoff.h"
#include "player/cmcd.h"
#include "player/edges.h"
#include "player/fmp4.h"
#include "player/mpd.h"
#include "player/playout.h"

namespace onair::player {
namespace {

using std::chrono::milliseconds;
using Json = nlohmann::json;

constexpr int64_t kTick = 50'000;  // the playout's step

// An absolute URL as a server to connect to and a request target.
struct Where {
  net::Url server;
  std::string target;
};

StatusOr<Where> Split(const std::string& url) {
  auto u = net::ParseUrl(url);
  if (!u.ok()) return u.status();
  Where w{*u, u->path.empty() ? "/" : u->path};
  // ParseUrl drops a trailing slash; a target keeps it.
  if (url.back() == '/' && w.target.back() != '/') w.target += '/';
  w.server.path.clear();
  return w;
}

std::string ServerKey(const net::Url& u) { return u.host + ":" + u.port; }

Percentiles PercentilesOf(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
  };
  p.p50 = at(0.5);
  p.p95 = at(0.95);
  p.max = v.back();
  p.count = static_cast<int>(v.size());
  return p;
}

bool Decodes(const DeviceProfile& d, const std::string& codecs) {
  const std::string family = codecs.substr(0, 4);
  for (const std::string& c : d.codecs) {
    if ((c == "avc" || c == "h264") && (family == "avc1" || family == "avc3")) return true;
    if ((c == "hevc" || c == "h265") && (family == "hvc1" || family == "hev1")) return true;
  }
  return false;
}

Json PercentilesJson(const Percentiles& p) {
  return {{"p50", p.p50}, {"p95", p.p95}, {"max", p.max}, {"samples", p.count}};
}

}  // namespace

std::string DeviceJson(const DeviceProfile& d) {
  Json j = {{"device_id", d.id}, {"device_type", d.type}, {"codecs", d.codecs}};
  if (d.max_width > 0) j["max_width"] = d.max_width;
  if (d.max_height > 0) j["max_height"] = d.max_height;
  if (d.max_bitrate > 0) j["max_bitrate"] = d.max_bitrate;
  if (!d.region.empty()) j["region"] = d.region;
  return j.dump();
}

std::string QoeSummary::ToJson() const {
  Json j = {{"session", session},
            {"event", event},
            {"played_s", played_s},
            {"ttff_ms", ttff_ms},
            {"rebuffers", rebuffers},
            {"rebuffer_s", rebuffer_s},
            {"longest_rebuffer_s", longest_rebuffer_s},
            {"switches", switches},
            {"avg_bitrate_bps", avg_bitrate_bps},
            {"last_bitrate_bps", last_bitrate_bps},
            {"max_bitrate_played_bps", max_bitrate_played_bps},
            {"latency_s", PercentilesJson(latency_s)},
            {"arrival_latency_s", PercentilesJson(arrival_s)},
            {"segments", segments},
            {"decoded", decoded},
            {"undecodable", undecodable},
            {"failovers", failovers},
            {"errors", errors},
            {"edges", edges},
            {"renditions", renditions},
            {"video_log", video_log},
            {"events_posted", events_posted},
            {"events_dropped", events_dropped}};
  return j.dump(2);
}

std::string QoeSummary::ToText() const {
  char line[512];
  std::string out;
  std::snprintf(line, sizeof(line),
                "played %.1f s of %s, first frame after %.0f ms\n"
                "rebuffers %d (%.2f s, longest %.2f s), switches %d, average %.2f Mb/s\n"
                "latency p50 %.2f s p95 %.2f s (arrival p50 %.2f s p95 %.2f s)\n"
                "segments %d, decoded %d, undecodable %d, failovers %d\n",
                played_s, event.c_str(), ttff_ms, rebuffers, rebuffer_s, longest_rebuffer_s,
                switches, avg_bitrate_bps / 1e6, latency_s.p50, latency_s.p95, arrival_s.p50,
                arrival_s.p95, segments, decoded, undecodable, failovers);
  out = line;
  if (!errors.empty()) {
    out += "errors:";
    for (const auto& [k, n] : errors) out += " " + k + "=" + std::to_string(n);
    out += "\n";
  }
  return out;
}

struct Player::Impl {
  Impl(PlayerConfig c, Clock* cl) : cfg(std::move(c)), clock(cl) {
    if (cfg.session_id.empty()) {
      std::random_device rd;
      char id[33];
      std::snprintf(id, sizeof(id), "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
      cfg.session_id = id;
    }
    if (cfg.device.id.empty()) cfg.device.id = cfg.session_id;
    if (cfg.seed == 0) cfg.seed = std::hash<std::string>{}(cfg.session_id);
  }

  PlayerConfig cfg;
  Clock* clock;
  std::atomic<bool> stop{false};
  std::mutex wake_mu;
  std::condition_variable wake;

  // Fixed once the manifest is read.
  Presentation mpd;
  const AdaptationSet* video = nullptr;
  const AdaptationSet* audio = nullptr;
  int64_t clock_offset_us = 0;  // server clock minus ours
  UtcMicros zero = 0;           // UTC of presentation time 0
  int64_t segment_us = 0;
  int64_t target_latency_us = 3'000'000;
  std::unique_ptr<EdgeSet> edges;
  UtcMicros run_started = 0;

  // Shared between the fetchers, the control thread and Run (mu).
  mutable std::mutex mu;
  TrackBuffer video_buffer, audio_buffer;
  std::map<int64_t, int> rung_of_segment;         // video segment number -> rung
  std::map<int64_t, UtcMicros> capture_of_chunk;  // media start of a video chunk -> capture UTC
  std::unique_ptr<Playout> playout;
  std::unique_ptr<AbrController> abr;
  std::vector<Rung> rungs;
  ThroughputEstimator throughput;
  Cap device_cap, steering_cap;
  bool starved = false;  // CMCD bs: the buffer ran dry since the last request
  std::string current_edge;
  int played_rung = -1;
  double bitrate_seconds = 0;  // bits/s x seconds played, for the average
  std::vector<double> latency_samples, arrival_samples;
  QoeSummary stats;
  std::vector<std::string> pending_events;  // JSON objects not posted yet

  UtcMicros Now() const { return clock->Now() + clock_offset_us; }

  // Waits until `t` (synced clock) or Stop(); false if stopped.
  bool SleepUntil(UtcMicros t) {
    std::unique_lock<std::mutex> lock(wake_mu);
    while (!stop.load()) {
      const int64_t left = t - Now();
      if (left <= 0) return true;
      wake.wait_for(lock, std::chrono::microseconds(std::min<int64_t>(left, 100'000)));
    }
    return false;
  }
  bool SleepMs(int64_t ms) { return SleepUntil(Now() + ms * 1000); }

  std::string EdgeName(const BaseUrl& b) const {
    return b.service_location.empty() ? b.url : b.service_location;
  }

  void Event(const std::string& type, Json fields) {
    fields["type"] = type;
    fields["t"] = FormatUtc(Now(), true);
    std::lock_guard<std::mutex> lock(mu);
    if (pending_events.size() >= 1000) {
      pending_events.erase(pending_events.begin());
      ++stats.events_dropped;
    }
    pending_events.push_back(fields.dump());
  }
  void Error(const std::string& kind, const std::string& detail) {
    {
      std::lock_guard<std::mutex> lock(mu);
      ++stats.errors[kind];
    }
    Logger("player")->debug("{}: {}", kind, detail);
    Event("error", {{"kind", kind}, {"detail", detail.substr(0, 200)}});
  }

  // ----- start: the manifest and the clock -----
  // Where the manifest comes from: the playback service (POST, the device's description),
  // or a manifest URL (GET).
  std::string ManifestUrl() const {
    return cfg.mpd_url.empty() ? cfg.service + "/v1/playback/" + cfg.event : cfg.mpd_url;
  }

  StatusOr<std::string> FetchManifest() {
    auto where = Split(ManifestUrl());
    if (!where.ok()) return where.status();
    net::HttpConnection conn(where->server);
    Backoff backoff(250, 8'000, cfg.seed);
    const bool post = cfg.mpd_url.empty();
    const std::string body = post ? DeviceJson(cfg.device) : "";
    const net::Headers headers =
        post ? net::Headers{{"Content-Type", "application/json"}, {"X-Onair-Priority", "live"}}
             : net::Headers{};
    while (!stop.load()) {
      auto res = conn.Send(post ? "POST" : "GET", where->target, headers, body, milliseconds(5000));
      std::optional<int64_t> wait;
      if (res.ok() && res->status == 200) return std::move(res->body);
      if (res.ok() && res->status != 503 && res->status < 500) {
        return InvalidArgument("the manifest request was refused (" + std::to_string(res->status) +
                               "): " + res->body.substr(0, 300));
      }
      if (res.ok()) {
        wait = ServerRetryMs(*res, clock->Now());
        Error("manifest_" + std::to_string(res->status), res->body.substr(0, 200));
      } else {
        Error("manifest_unreachable", res.status().message());
      }
      if (backoff.attempts() >= 8) return Unavailable("no manifest after 8 attempts");
      const int64_t ms = wait ? *wait : backoff.NextMs();
      if (wait) backoff.NextMs();  // counts the attempt
      if (!SleepMs(ms)) break;
    }
    return Cancelled("stopped");
  }

  // The offset of the server's clock from ours, from the manifest's UTCTiming (0 if none
  // answers: the machines are then assumed in sync, and that is logged).
  void SyncClock() {
    for (const UtcTiming& u : mpd.utc_timings) {
      if (u.scheme == "urn:mpeg:dash:utc:direct:2014") {
        if (auto t = ParseUtc(u.value); t.ok()) {
          clock_offset_us = *t - clock->Now();
          return;
        }
        continue;
      }
      const bool head = u.scheme == "urn:mpeg:dash:utc:http-head:2014";
      if (!head && u.scheme != "urn:mpeg:dash:utc:http-iso:2014" &&
          u.scheme != "urn:mpeg:dash:utc:http-xsdate:2014") {
        continue;
      }
      auto where = Split(ResolveUrl(ManifestUrl(), u.value));
      if (!where.ok()) continue;
      net::HttpConnection conn(where->server);
      // The best of three: the shortest round trip bounds the error best.
      int64_t best_rtt = INT64_MAX;
      for (int i = 0; i < 3; ++i) {
        const UtcMicros t0 = clock->Now();
        auto res = conn.Send(head ? "HEAD" : "GET", where->target, {}, "", milliseconds(2000));
        const UtcMicros t1 = clock->Now();
        if (!res.ok() || res->status != 200) continue;
        StatusOr<UtcMicros> server = InvalidArgument("no time");
        if (head) {
          const std::string date = net::HeaderValue(res->headers, "Date");
          std::tm tm{};
          if (strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
            server = static_cast<UtcMicros>(timegm(&tm)) * 1'000'000 + 500'000;
          }
        } else {
          std::string text = res->body;
          text.erase(text.find_last_not_of(" \r\n\t") + 1);
          server = ParseUtc(text);
        }
        if (!server.ok() || t1 - t0 >= best_rtt) continue;
        best_rtt = t1 - t0;
        clock_offset_us = *server - (t0 + t1) / 2;
      }
      if (best_rtt != INT64_MAX) {
        Logger("player")->info("clock: {:+.3f} s from {} (round trip {:.1f} ms)",
                               static_cast<double>(clock_offset_us) / 1e6, u.value,
                               static_cast<double>(best_rtt) / 1e3);
        return;
      }
    }
    Error("clock_sync", "no UTCTiming source answered: using the local clock");
  }

  // ----- segments -----
  struct Fetched {
    enum Kind { kDone, kNotYet, kGone, kFailed } kind = kFailed;
    std::string error_kind;
    std::string detail;
    std::optional<int64_t> retry_ms;
    std::string bytes;
  };

  // Media time (us) of the start of segment `number` of a set.
  int64_t SegmentStart(const AdaptationSet& set, int64_t number) const {
    return (number - set.segments.start_number) * segment_us;
  }
  int64_t SegmentAt(const AdaptationSet& set, int64_t media_us) const {
    const int64_t k =
        media_us >= 0 ? media_us / segment_us : (media_us - segment_us + 1) / segment_us;
    return k + set.segments.start_number;
  }

  // Whole small objects (init segments) from an edge.
  StatusOr<std::string> FetchWhole(net::HttpConnection& conn, const std::string& target) {
    std::string body;
    int status = 0;
    net::HttpConnection::StreamHandler h;
    h.on_head = [&](int s, const net::Headers&) {
      status = s;
      return s == 200;
    };
    h.on_body = [&](std::string_view b) {
      body.append(b);
      return body.size() < (8u << 20);
    };
    Status s = conn.StreamGet(target, {}, h, milliseconds(segment_us / 1000 + 2000));
    if (!s.ok()) return s;
    if (status != 200) return Unavailable("init segment: HTTP " + std::to_string(status));
    return body;
  }

  // `asked`: when this segment was first asked for (a server that answers only whole
  // segments is asked again until it has one).
  Fetched FetchSegment(net::HttpConnection& conn, const std::string& target, const TrackInfo& track,
                       const AdaptationSet& set, bool is_video, UtcMicros asked) {
    Fetched f;
    int status = 0;
    net::Headers head;
    ChunkReader reader(track);
    std::vector<Chunk> chunks;
    Status parse = Status::Ok();
    auto chunk_began = std::chrono::steady_clock::now();
    const double pto_us = static_cast<double>(set.segments.presentation_time_offset) * 1e6 /
                          static_cast<double>(set.segments.timescale);
    net::HttpConnection::StreamHandler h;
    h.on_head = [&](int s, const net::Headers& hs) {
      status = s;
      head = hs;
      return s == 200;
    };
    h.on_body = [&](std::string_view b) {
      const auto now = std::chrono::steady_clock::now();
      if (reader.pending_bytes() == 0) chunk_began = now;
      f.bytes.append(b);
      chunks.clear();
      parse = reader.Push(b, &chunks);
      if (!parse.ok()) return false;
      const UtcMicros arrived = Now();
      std::lock_guard<std::mutex> lock(mu);
      for (const Chunk& c : chunks) {
        const auto start = static_cast<int64_t>(
            static_cast<double>(c.decode_time) * 1e6 / track.timescale - pto_us);
        const int64_t end = start + c.duration * 1'000'000 / track.timescale;
        throughput.Add(
            static_cast<int64_t>(c.bytes.size()),
            std::chrono::duration_cast<std::chrono::microseconds>(now - chunk_began).count());
        TrackBuffer& buffer = is_video ? video_buffer : audio_buffer;
        const bool fresh = buffer.ContiguousEnd(start) < end;
        buffer.Add(start, end);
        const std::optional<UtcMicros> captured =
            cfg.capture_from_ast ? std::optional<UtcMicros>(zero + start) : c.captured;
        if (is_video && captured) {
          capture_of_chunk[start] = *captured;
          // Glass to glass at arrival, for chunks still being captured when asked for (the
          // live ones; a chunk already there measures only how late the player asked).
          if (fresh && *captured + (end - start) > asked) {
            arrival_samples.push_back(static_cast<double>(arrived - *captured) / 1e6);
          }
        }
      }
      if (reader.pending_bytes() > 0) chunk_began = now;
      return !stop.load();
    };
    Status s = conn.StreamGet(target, {}, h, milliseconds(segment_us / 1000 + 1000));
    if (!parse.ok()) {
      f.kind = Fetched::kFailed;
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
      if (stop.load()) return f;
      if (reader.pending_bytes() != 0) {
        f.error_kind = "truncated";
        f.detail = "the segment ends inside a box";
        return f;
      }
      f.kind = Fetched::kDone;
      return f;
    }
    net::Response res{status, head, ""};
    if (status == 404) {
      f.kind = Fetched::kNotYet;
      const std::string ms = net::HeaderValue(head, "X-Onair-Max-Age-Ms");
      f.retry_ms =
          ms.empty() ? 200 : std::clamp<int64_t>(std::atoll(ms.c_str()), 0, segment_us / 1000);
      return f;
    }
    if (status == 410) {
      f.kind = Fetched::kGone;
      return f;
    }
    f.error_kind = "http_" + std::to_string(status);
    f.detail = target;
    f.retry_ms = ServerRetryMs(res, Now());
    return f;
  }

  void FetchTrack(const AdaptationSet& set, bool is_video, int64_t first_number) {
    std::map<std::string, std::unique_ptr<net::HttpConnection>> conns;
    std::map<std::string, std::pair<std::string, TrackInfo>> inits;  // by rendition
    Backoff backoff(100, 4'000, cfg.seed + (is_video ? 1 : 2));
    const double ato_us = set.segments.availability_time_offset * 1e6;
    const bool chunked = !set.segments.availability_time_complete;
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
      // Not too far ahead of the playhead (a catch-up viewer), not before it exists: a
      // chunked segment is asked for as it starts (the origin holds the request and streams
      // its first chunk the moment it lands), a whole one when it is complete.
      const int64_t start = SegmentStart(set, number);
      if (start - position > target_latency_us + 2 * segment_us &&
          state != Playout::State::kWaiting) {
        if (!SleepMs(50)) break;
        continue;
      }
      const UtcMicros ready =
          zero + start + (chunked ? 0 : segment_us - static_cast<int64_t>(ato_us));
      if (!SleepUntil(ready)) break;

      // The rendition: chosen at each segment boundary, video only.
      const Representation* rep = &set.representations.back();
      int rung = 0;
      if (is_video) {
        std::lock_guard<std::mutex> lock(mu);
        AbrInput in;
        in.buffer_s = static_cast<double>(video_buffer.ContiguousEnd(position) - position) / 1e6;
        in.throughput_bps = throughput.bits_per_second();
        in.target_buffer_s =
            std::max(0.5, static_cast<double>(target_latency_us - segment_us / 2) / 1e6);
        in.cap.max_bitrate =
            std::min(device_cap.max_bitrate ? device_cap.max_bitrate : INT64_MAX,
                     steering_cap.max_bitrate ? steering_cap.max_bitrate : INT64_MAX);
        if (in.cap.max_bitrate == INT64_MAX) in.cap.max_bitrate = 0;
        in.cap.max_height = steering_cap.max_height;
        rung = abr->Choose(in);
        rep = &set.representations[static_cast<size_t>(rung)];
        rung_of_segment[number] = rung;
      }

      const BaseUrl edge = edges->Best(Now());
      if (!last_edge.empty() && edge.url != last_edge) {
        Event("edge", {{"from", last_edge}, {"to", EdgeName(edge)}});
      }
      auto& init = inits[rep->id];
      auto where_init =
          Split(edge.url + *ExpandTemplate(set.segments.initialization, *rep, number));
      auto media_path = ExpandTemplate(set.segments.media, *rep, number);
      if (!where_init.ok() || !media_path.ok()) {
        Error("bad_manifest", "cannot make a URL for " + rep->id);
        break;
      }
      auto& conn = conns[ServerKey(where_init->server)];
      if (!conn) conn = std::make_unique<net::HttpConnection>(where_init->server);

      Fetched f;
      if (init.first.empty()) {
        auto bytes = FetchWhole(*conn, where_init->target);
        StatusOr<TrackInfo> info =
            bytes.ok() ? ReadInit(*bytes) : StatusOr<TrackInfo>(bytes.status());
        if (info.ok()) {
          init = {std::move(*bytes), *info};
        } else {
          f.error_kind = "init";
          f.detail = info.status().message();
        }
      }
      if (!init.first.empty()) {
        Cmcd cmcd;
        {
          std::lock_guard<std::mutex> lock(mu);
          cmcd.bitrate_kbps = rep->bandwidth / 1000;
          cmcd.duration_ms = segment_us / 1000;
          cmcd.object_type = is_video ? 'v' : 'a';
          cmcd.top_bitrate_kbps = set.representations.back().bandwidth / 1000;
          const TrackBuffer& b = is_video ? video_buffer : audio_buffer;
          cmcd.buffer_ms = (b.ContiguousEnd(position) - position) / 1000;
          cmcd.throughput_kbps = static_cast<int64_t>(throughput.bits_per_second() / 1000);
          cmcd.startup = playout->state() == Playout::State::kWaiting;
          cmcd.buffer_starvation = starved && is_video;
          if (is_video) starved = false;
          cmcd.playback_rate = playout->rate();
        }
        cmcd.content_id = cfg.event;
        cmcd.session_id = cfg.session_id;
        if (auto next = ExpandTemplate(set.segments.media, *rep, number + 1); next.ok()) {
          cmcd.next_object = *next;
        }
        const std::string target =
            Split(edge.url + *media_path)->target + "?" + CmcdQuery(cmcd);  // same server
        if (first_asked.first != number) first_asked = {number, Now()};
        f = FetchSegment(*conn, target, init.second, set, is_video, first_asked.second);
      }
      last_edge = edge.url;
      switch (f.kind) {
        case Fetched::kDone: {
          failures_in_a_row = 0;
          backoff.Reset();
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
            Error("undecodable", rep->id + "/" + std::to_string(number) + ": " + why);
          }
          ++number;
          break;
        }
        case Fetched::kNotYet:
          // Still not there well after it should be whole (a producer that skipped it, a
          // server that never says 410): a hole, as a 410 would be.
          if (Now() > zero + start + 3 * segment_us) {
            Error("missing", rep->id + "/" + std::to_string(number));
            ++number;
            break;
          }
          if (!SleepMs(std::max<int64_t>(20, *f.retry_ms))) return;
          break;
        case Fetched::kGone:
          Error("gone", rep->id + "/" + std::to_string(number));
          ++number;
          break;
        case Fetched::kFailed: {
          if (stop.load()) return;
          Error(f.error_kind, EdgeName(edge) + ": " + f.detail);
          conn->Close();
          // A response cut short after a good start is most often the origin's (a pipeline
          // lost mid-segment: the origin cuts its readers and serves the other candidate
          // next): the same edge is asked once more before it is left.
          if (f.error_kind == "truncated" && failures_in_a_row == 0) {
            ++failures_in_a_row;
            break;
          }
          edges->Failed(edge.url, Now());
          const BaseUrl next = edges->Best(Now());
          if (next.url != edge.url) {
            std::lock_guard<std::mutex> lock(mu);
            ++stats.failovers;
          }
          // The first failure moves on to the next edge at once; when they keep failing,
          // wait as the server said, else back off with jitter.
          if (++failures_in_a_row >= static_cast<int>(edges->size()) || f.retry_ms) {
            const int64_t ms = f.retry_ms ? *f.retry_ms : backoff.NextMs();
            if (!SleepMs(ms)) return;
          }
          break;
        }
      }
    }
  }

  // ----- the control thread: steering, QoE events -----
  void PollSteering(std::string* url, UtcMicros* next_at) {
    auto where = Split(*url);
    if (!where.ok()) {
      *next_at = INT64_MAX;
      return;
    }
    std::string target = where->target;
    {
      std::lock_guard<std::mutex> lock(mu);
      target += (target.find('?') == std::string::npos ? "?" : "&");
      target +=
          "_DASH_pathway=" + PercentEncode("\"" + current_edge + "\"") +
          "&_DASH_throughput=" + std::to_string(static_cast<int64_t>(throughput.bits_per_second()));
    }
    net::HttpConnection conn(where->server);
    auto res = conn.Send("GET", target, {}, "", milliseconds(2000));
    int64_t ttl_s = 10;
    if (res.ok() && res->status == 200) {
      const Json j = Json::parse(res->body, nullptr, false);
      if (j.is_object()) {
        if (auto t = j.find("TTL"); t != j.end() && t->is_number_integer()) {
          ttl_s = std::clamp<int64_t>(t->get<int64_t>(), 1, 3600);
        }
        if (auto r = j.find("RELOAD-URI"); r != j.end() && r->is_string()) {
          *url = ResolveUrl(*url, r->get<std::string>());
        }
        std::vector<std::string> order;
        if (auto p = j.find("SERVICE-LOCATION-PRIORITY"); p != j.end() && p->is_array()) {
          for (const Json& n : *p) {
            if (n.is_string()) order.push_back(n.get<std::string>());
          }
        }
        if (!order.empty()) edges->Steer(order);
        Cap cap;
        if (auto c = j.find("ONAIR-QUALITY-CAP"); c != j.end() && c->is_object()) {
          cap.max_bitrate = c->value("max_bitrate", int64_t{0});
          cap.max_height = c->value("max_height", 0);
        }
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

  void PostEvents(net::HttpConnection& conn, const std::string& target) {
    std::vector<std::string> batch;
    {
      std::lock_guard<std::mutex> lock(mu);
      batch.swap(pending_events);
    }
    if (batch.empty()) return;
    std::string body = "{\"v\":1,\"session\":" + Json(cfg.session_id).dump() +
                       ",\"event\":" + Json(cfg.event).dump() + ",\"device\":" +
                       Json({{"type", cfg.device.type}, {"region", cfg.device.region}}).dump() +
                       ",\"events\":[";
    for (size_t i = 0; i < batch.size(); ++i) body += (i ? "," : "") + batch[i];
    body += "]}";
    auto res =
        conn.Send("POST", target, {{"Content-Type", "application/json"}}, body, milliseconds(2000));
    std::lock_guard<std::mutex> lock(mu);
    if (res.ok() && res->status / 100 == 2) {
      stats.events_posted += static_cast<int>(batch.size());
      return;
    }
    // Kept for the next batch (bounded: the oldest go first).
    pending_events.insert(pending_events.begin(), batch.begin(), batch.end());
    while (pending_events.size() > 1000) {
      pending_events.erase(pending_events.begin());
      ++stats.events_dropped;
    }
  }

  // Where the viewer is, each events interval: the metrics service counts concurrent
  // viewers, bitrate, buffer and latency from these.
  void Heartbeat() {
    std::lock_guard<std::mutex> lock(mu);
    const UtcMicros now = Now();
    const int64_t pos = playout->position_us();
    const int64_t end = video ? video_buffer.ContiguousEnd(pos) : audio_buffer.ContiguousEnd(pos);
    pending_events.push_back(
        Json({{"type", "heartbeat"},
              {"t", FormatUtc(now, true)},
              {"state", playout->state() == Playout::State::kPlaying   ? "playing"
                        : playout->state() == Playout::State::kStalled ? "stalled"
                                                                       : "starting"},
              {"bitrate", stats.last_bitrate_bps},
              {"buffer_ms", (end - pos) / 1000},
              {"latency_ms", playout->LatencyAt(now) / 1000},
              {"edge", current_edge}})
            .dump());
  }

  void Control() {
    std::string steering_url = mpd.steering ? mpd.steering->server_url : "";
    UtcMicros steering_at = steering_url.empty() ? INT64_MAX : Now();
    auto events_where = Split(cfg.service + "/v1/events");
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

  // ----- the playout, every tick -----
  // A hole at the playhead that will not fill (a segment gone, or a stream that began after
  // the start point), with media after it: on to that media, as a viewer would want.
  void SkipHole(int64_t pos) {
    std::vector<const TrackBuffer*> tracks;
    if (video) tracks.push_back(&video_buffer);
    if (audio) tracks.push_back(&audio_buffer);
    int64_t next = -1;
    for (const TrackBuffer* t : tracks) {
      if (t->ContiguousEnd(pos) > pos) continue;
      const int64_t start = t->NextStart(pos);
      if (start < 0) return;  // nothing after it yet
      next = std::max(next, start);
    }
    if (next <= pos || next - pos > 3 * segment_us) return;
    for (const TrackBuffer* t : tracks) {
      if (t->ContiguousEnd(next) - next < 500'000) return;  // not enough there yet
    }
    Logger("player")->info("skipping {:.2f} s of media that will not come",
                           static_cast<double>(next - pos) / 1e6);
    playout->SkipTo(next);
  }

  void Tick() {
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
      pending_events.push_back(Json({{"type", "start"},
                                     {"t", FormatUtc(now, true)},
                                     {"ttff_ms", stats.ttff_ms},
                                     {"edge", current_edge}})
                                   .dump());
    }
    if (changed && after == Playout::State::kStalled) starved = true;
    if (changed && before == Playout::State::kStalled && after == Playout::State::kPlaying) {
      const double s = static_cast<double>(playout->last_rebuffer_us()) / 1e6;
      stats.longest_rebuffer_s = std::max(stats.longest_rebuffer_s, s);
      pending_events.push_back(Json({{"type", "rebuffer"},
                                     {"t", FormatUtc(now, true)},
                                     {"duration_ms", s * 1e3},
                                     {"edge", current_edge}})
                                   .dump());
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
          pending_events.push_back(
              Json({{"type", "switch"},
                    {"t", FormatUtc(now, true)},
                    {"from", video->representations[static_cast<size_t>(played_rung)].id},
                    {"to", video->representations[static_cast<size_t>(r->second)].id},
                    {"bitrate", bps}})
                  .dump());
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

  Status Run() {
    run_started = clock->Now();
    auto body = FetchManifest();
    if (!body.ok()) return body.status();
    auto parsed = ParseMpd(*body, ManifestUrl());
    if (!parsed.ok()) return parsed.status();
    mpd = std::move(*parsed);
    if (!mpd.dynamic) return InvalidArgument("the manifest is not live (type static)");
    for (const AdaptationSet& s : mpd.sets) {
      if (!video && s.content_type == "video" && Decodes(cfg.device, s.representations[0].codecs)) {
        video = &s;
      }
      if (!audio && cfg.audio && s.content_type == "audio") audio = &s;
    }
    if (!video && !audio) return InvalidArgument("nothing in the manifest this device decodes");
    const AdaptationSet& lead = video ? *video : *audio;
    segment_us = lead.segments.duration_us();
    if (segment_us <= 0) return InvalidArgument("the manifest's segment duration is 0");
    if (video) {
      for (const Representation& r : video->representations) {
        rungs.push_back({r.bandwidth, r.height});
      }
      abr = std::make_unique<AbrController>(rungs, static_cast<double>(segment_us) / 1e6);
    }
    device_cap.max_bitrate = cfg.device.max_bitrate;
    target_latency_us = cfg.target_latency_ms > 0    ? cfg.target_latency_ms * 1000
                        : mpd.latency_target_ms > 0  ? mpd.latency_target_ms * 1000
                        : mpd.suggested_delay_us > 0 ? mpd.suggested_delay_us
                                                     : 3'000'000;
    SyncClock();
    zero = mpd.availability_start + mpd.period_start_us;
    edges = std::make_unique<EdgeSet>(mpd.base_urls);

    // Start at the target latency behind the live edge, from the start of its segment.
    const int64_t start = Now() - zero - target_latency_us;
    PlayoutConfig pc;
    pc.target_latency_us = target_latency_us;
    pc.start_buffer_us = std::min<int64_t>(500'000, target_latency_us / 3);
    pc.resume_buffer_us = pc.start_buffer_us;
    {
      std::lock_guard<std::mutex> lock(mu);  // StatusLine reads it from another thread
      playout = std::make_unique<Playout>(pc, zero);
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
      pending_events.push_back(Json({{"type", "end"},
                                     {"t", FormatUtc(Now(), true)},
                                     {"played_s", static_cast<double>(playout->played_us()) / 1e6},
                                     {"rebuffers", playout->rebuffers()}})
                                   .dump());
    }
    stop = true;
    wake.notify_all();
    for (std::thread& t : threads) t.join();
    return result;
  }
};

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
