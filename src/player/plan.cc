#include "player/plan.h"

#include <algorithm>

#include "contract/headers.h"
#include "contract/steering.h"
#include "net/url.h"
#include "player/backoff.h"

namespace onair::player {

bool Decodes(const DeviceProfile& d, const std::string& codecs) {
  const std::string family = codecs.substr(0, 4);
  for (const std::string& c : d.codecs) {
    if ((c == "avc" || c == "h264") && (family == "avc1" || family == "avc3")) return true;
    if ((c == "hevc" || c == "h265") && (family == "hvc1" || family == "hev1")) return true;
  }
  return false;
}

net::Headers PlayStartHeaders() {
  return {{"Content-Type", "application/json"}, {contract::kPriority, "live"}};
}

ManifestAnswer ReadManifestAnswer(const StatusOr<net::Response>& res, UtcMicros now) {
  ManifestAnswer a;
  if (!res.ok()) {
    a.error_kind = "manifest_unreachable";
    return a;
  }
  if (res->status == 200) {
    a.kind = ManifestAnswer::kManifest;
    return a;
  }
  a.error_kind = "manifest_" + std::to_string(res->status);
  if (res->status != 503 && res->status < 500) {
    a.kind = ManifestAnswer::kRefused;
    return a;
  }
  a.retry_ms = ServerRetryMs(*res, now);
  return a;
}

int64_t SessionPlan::SegmentStart(const AdaptationSet& set, int64_t number) const {
  return (number - set.segments.start_number) * segment_us;
}

int64_t SessionPlan::SegmentAt(const AdaptationSet& set, int64_t media_us) const {
  const int64_t k =
      media_us >= 0 ? media_us / segment_us : (media_us - segment_us + 1) / segment_us;
  return k + set.segments.start_number;
}

UtcMicros SessionPlan::ReadyAt(const AdaptationSet& set, int64_t number) const {
  const bool chunked = !set.segments.availability_time_complete;
  const auto ato_us = static_cast<int64_t>(set.segments.availability_time_offset * 1e6);
  return zero + SegmentStart(set, number) + (chunked ? 0 : segment_us - ato_us);
}

PlayoutConfig SessionPlan::Playout() const {
  PlayoutConfig pc;
  pc.target_latency_us = target_latency_us;
  pc.start_buffer_us = std::min<int64_t>(500'000, target_latency_us / 3);
  pc.resume_buffer_us = pc.start_buffer_us;
  return pc;
}

AbrInput SessionPlan::AbrInputFor(double buffer_s, double throughput_bps, const Cap& device,
                                  const Cap& steering) const {
  AbrInput in;
  in.buffer_s = buffer_s;
  in.throughput_bps = throughput_bps;
  in.target_buffer_s = std::max(0.5, static_cast<double>(target_latency_us - segment_us / 2) / 1e6);
  in.cap.max_bitrate = std::min(device.max_bitrate ? device.max_bitrate : INT64_MAX,
                                steering.max_bitrate ? steering.max_bitrate : INT64_MAX);
  if (in.cap.max_bitrate == INT64_MAX) in.cap.max_bitrate = 0;
  in.cap.max_height = steering.max_height;
  return in;
}

StatusOr<SessionPlan> PlanSession(const Presentation& mpd, const DeviceProfile& device, bool audio,
                                  int64_t target_latency_ms) {
  if (!mpd.dynamic) return InvalidArgument("the manifest is not live (type static)");
  SessionPlan p;
  for (const AdaptationSet& s : mpd.sets) {
    if (!p.video && s.content_type == "video" && Decodes(device, s.representations[0].codecs)) {
      p.video = &s;
    }
    if (!p.audio && audio && s.content_type == "audio") p.audio = &s;
  }
  if (!p.video && !p.audio) return InvalidArgument("nothing in the manifest this device decodes");
  p.segment_us = (p.video ? *p.video : *p.audio).segments.duration_us();
  if (p.segment_us <= 0) return InvalidArgument("the manifest's segment duration is 0");
  if (p.video) {
    for (const Representation& r : p.video->representations)
      p.rungs.push_back({r.bandwidth, r.height});
  }
  p.target_latency_us = target_latency_ms > 0        ? target_latency_ms * 1000
                        : mpd.latency_target_ms > 0  ? mpd.latency_target_ms * 1000
                        : mpd.suggested_delay_us > 0 ? mpd.suggested_delay_us
                                                     : 3'000'000;
  p.zero = mpd.availability_start + mpd.period_start_us;
  return p;
}

Cmcd SegmentCmcd(const SessionPlan& plan, const AdaptationSet& set, const Representation& rep,
                 int64_t number, const std::string& event, const std::string& session) {
  Cmcd cmcd;
  cmcd.bitrate_kbps = rep.bandwidth / 1000;
  cmcd.duration_ms = plan.segment_us / 1000;
  cmcd.object_type = set.content_type == "video" ? 'v' : 'a';
  cmcd.top_bitrate_kbps = set.representations.back().bandwidth / 1000;
  cmcd.content_id = event;
  cmcd.session_id = session;
  if (auto next = ExpandTemplate(set.segments.media, rep, number + 1); next.ok()) {
    cmcd.next_object = *next;
  }
  return cmcd;
}

StatusOr<std::string> SegmentUrl(const BaseUrl& edge, const AdaptationSet& set,
                                 const Representation& rep, int64_t number, const Cmcd* cmcd) {
  auto path = number < 0 ? ExpandTemplate(set.segments.initialization, rep, 0)
                         : ExpandTemplate(set.segments.media, rep, number);
  if (!path.ok()) return path.status();
  std::string url = edge.url + *path;
  if (cmcd) url += (url.find('?') == std::string::npos ? "?" : "&") + CmcdQuery(*cmcd);
  return url;
}

SegmentAnswer ReadSegmentAnswer(int status, const net::Headers& headers, int64_t max_wait_ms,
                                UtcMicros now) {
  SegmentAnswer a;
  if (status == 404) {
    a.kind = SegmentAnswer::kNotYet;
    const std::string ms = net::HeaderValue(headers, contract::kMaxAgeMs);
    a.retry_ms = ms.empty() ? 200 : std::clamp<int64_t>(std::atoll(ms.c_str()), 0, max_wait_ms);
    return a;
  }
  if (status == 410) {
    a.kind = SegmentAnswer::kGone;
    return a;
  }
  a.error_kind = "http_" + std::to_string(status);
  a.retry_ms = ServerRetryMs({status, headers, ""}, now);
  return a;
}

std::string SteeringRequestUrl(const std::string& url, const std::string& pathway,
                               double throughput_bps) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") +
         "_DASH_pathway=" + PercentEncode("\"" + pathway + "\"") +
         "&_DASH_throughput=" + std::to_string(static_cast<int64_t>(throughput_bps));
}

SteeringUpdate ReadSteeringAnswer(const StatusOr<net::Response>& res, const std::string& url,
                                  UtcMicros now) {
  SteeringUpdate u;
  u.next_url = url;
  if (!res.ok()) {
    u.error_kind = "steering_unreachable";
    u.detail = res.status().message();
    return u;
  }
  if (res->status != 200) {
    if (auto wait = ServerRetryMs(*res, now)) u.ttl_s = std::max<int64_t>(1, *wait / 1000);
    u.error_kind = "steering_" + std::to_string(res->status);
    return u;
  }
  auto steering = contract::ParseSteering(res->body);
  if (!steering.ok()) {  // kept as it was: the next answer may be better
    u.error_kind = "steering_bad";
    u.detail = steering.status().message();
    return u;
  }
  u.ok = true;
  u.ttl_s = steering->ttl_s;
  if (!steering->reload_uri.empty()) u.next_url = ResolveUrl(url, steering->reload_uri);
  u.priority = steering->priority;
  u.cap.max_bitrate = steering->cap_max_bitrate;
  u.cap.max_height = static_cast<int>(steering->cap_max_height);
  return u;
}

void FillHeartbeat(contract::QoeEvent* e, const Playout& p, int64_t buffer_us,
                   int64_t* beat_played_us, int64_t* beat_stalled_us) {
  e->state = p.state() == Playout::State::kPlaying   ? "playing"
             : p.state() == Playout::State::kStalled ? "stalled"
                                                     : "starting";
  e->buffer_ms = buffer_us / 1000;
  e->latency_ms = p.LatencyAt(e->at_us) / 1000;
  // Time playing and stalled since the previous heartbeat: watch time and the rebuffering
  // ratio add up over sessions and collectors (docs/metrics.md).
  const int64_t played = p.played_us(), stalled = p.StalledUs(e->at_us);
  e->played_ms = std::max<int64_t>(0, played - *beat_played_us) / 1000;
  e->stalled_ms = std::max<int64_t>(0, stalled - *beat_stalled_us) / 1000;
  *beat_played_us = played;
  *beat_stalled_us = stalled;
}

FetchOutcome AfterSegment(const SegmentFetch& f, bool overdue, size_t edges, int* failures_in_a_row,
                          Backoff* backoff) {
  FetchOutcome o;
  switch (f.kind) {
    case SegmentFetch::kDone:
      *failures_in_a_row = 0;
      backoff->Reset();
      o.advance = true;
      break;
    case SegmentFetch::kNotYet:
      if (overdue) {  // a producer that skipped it, a server that never says 410: a hole
        o.error = "missing";
        o.advance = true;
      } else {
        o.wait_ms = std::max<int64_t>(20, f.retry_ms.value_or(200));
      }
      break;
    case SegmentFetch::kGone:
      o.error = "gone";
      o.advance = true;
      break;
    case SegmentFetch::kFailed:
      o.error = f.error_kind;
      o.close = true;
      if (f.error_kind == "truncated" && *failures_in_a_row == 0) {
        ++*failures_in_a_row;
        break;
      }
      o.leave_edge = true;
      if (++*failures_in_a_row >= static_cast<int>(edges) || f.retry_ms) {
        o.wait_ms = f.retry_ms ? *f.retry_ms : backoff->NextMs();
      }
      break;
  }
  return o;
}

}  // namespace onair::player
