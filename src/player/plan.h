// The session logic a headless player and a load generator's virtual device share, whatever
// transport carries their requests (threads and blocking calls in the player, coroutines on an
// event loop in `onair loadgen`): the play-start request and what its answer means, the plan
// read from the manifest (tracks, D, the target latency, where to begin), when a segment can be
// asked for, its URL with CMCD, the rung the ABR picks, and what a segment answer means.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "contract/qoe.h"
#include "core/clock.h"
#include "core/status.h"
#include "net/headers.h"
#include "net/http_client.h"
#include "player/abr.h"
#include "player/backoff.h"
#include "player/cmcd.h"
#include "player/mpd.h"
#include "player/player.h"
#include "player/playout.h"
#include "player/segment_fetch.h"

namespace onair::player {

// ----- play start -----

// Whether the device decodes an RFC 6381 codecs string ("avc1.64001f").
bool Decodes(const DeviceProfile& device, const std::string& codecs);

// The play-start request: POST {service}/v1/playback/{event} with these headers and body.
net::Headers PlayStartHeaders();

// What a play-start (or manifest) answer means.
struct ManifestAnswer {
  enum Kind { kManifest, kRetry, kRefused } kind = kRetry;
  std::optional<int64_t> retry_ms;  // kRetry: what the server asked for, if it did
  std::string error_kind;           // kRetry, kRefused: manifest_NNN, manifest_unreachable
};
ManifestAnswer ReadManifestAnswer(const StatusOr<net::Response>& res, UtcMicros now);

// ----- the plan, from the manifest -----

struct SessionPlan {
  const AdaptationSet* video = nullptr;  // into the Presentation planned from (outlives this)
  const AdaptationSet* audio = nullptr;
  int64_t segment_us = 0;
  int64_t target_latency_us = 3'000'000;
  UtcMicros zero = 0;       // UTC of media time 0 (AST + period start)
  std::vector<Rung> rungs;  // the video's, lowest first

  // Media time of segment `number`'s start, and the segment that holds `media_us`.
  int64_t SegmentStart(const AdaptationSet& set, int64_t number) const;
  int64_t SegmentAt(const AdaptationSet& set, int64_t media_us) const;
  // When a segment can be asked for (synced clock): as it starts when chunked (the origin
  // holds the request and streams its first chunk the moment it lands), else once whole.
  UtcMicros ReadyAt(const AdaptationSet& set, int64_t number) const;
  // Where playback begins at `now` (synced clock): the target latency behind the live edge.
  int64_t StartPosition(UtcMicros now) const { return now - zero - target_latency_us; }
  // The playout that holds this plan's target latency.
  PlayoutConfig Playout() const;
  // What the ABR needs at a boundary, from the buffer, the throughput and the caps.
  AbrInput AbrInputFor(double buffer_s, double throughput_bps, const Cap& device,
                       const Cap& steering) const;
};

// The tracks this device plays (the first video set it decodes; the first audio set, when
// `audio`), D and the target latency: `target_latency_ms` when given, else the manifest's
// ServiceDescription, else its suggested delay, else 3 s. An error when the manifest is not
// live or holds nothing the device decodes.
StatusOr<SessionPlan> PlanSession(const Presentation& mpd, const DeviceProfile& device, bool audio,
                                  int64_t target_latency_ms);

// ----- segments -----

// CMCD's object and session keys of a segment request (br, d, ot, tb, nor, cid, sid); the
// caller adds the request's and the buffer's (bl, mtp, su, bs, pr).
Cmcd SegmentCmcd(const SessionPlan& plan, const AdaptationSet& set, const Representation& rep,
                 int64_t number, const std::string& event, const std::string& session);

// The URL of a segment of `rep` from `edge` (init when `number` < 0), with CMCD in its query
// for media segments (`cmcd` nullptr: none).
StatusOr<std::string> SegmentUrl(const BaseUrl& edge, const AdaptationSet& set,
                                 const Representation& rep, int64_t number, const Cmcd* cmcd);

// What a segment answer that is not a 200 means: 404 "not yet" for as long as the server's
// X-Onair-Max-Age-Ms says (200 ms when it says nothing, at most `max_wait_ms`); 410 gone;
// anything else a failure (http_NNN), with the wait the server asked for.
struct SegmentAnswer {
  enum Kind { kNotYet, kGone, kFailed } kind = kFailed;
  std::optional<int64_t> retry_ms;
  std::string error_kind;
};
SegmentAnswer ReadSegmentAnswer(int status, const net::Headers& headers, int64_t max_wait_ms,
                                UtcMicros now);

// ----- steering -----

// The steering server's URL with what the player tells it: its pathway and throughput.
std::string SteeringRequestUrl(const std::string& url, const std::string& pathway,
                               double throughput_bps);
// What a steering answer says: when to ask again and where (its TTL and RELOAD-URI; after an
// error, as the server said or 10 s), the edges' order, the operator's quality cap.
struct SteeringUpdate {
  bool ok = false;
  int64_t ttl_s = 10;
  std::string next_url;
  std::vector<std::string> priority;
  Cap cap;
  std::string error_kind;  // !ok: steering_NNN, steering_unreachable, steering_bad
  std::string detail;
};
SteeringUpdate ReadSteeringAnswer(const StatusOr<net::Response>& res, const std::string& url,
                                  UtcMicros now);

// ----- QoE -----

// A heartbeat's playout fields at e->at_us: state, buffer, latency, and the time playing and
// stalled since the previous heartbeat (whose totals *beat_played_us, *beat_stalled_us keep).
void FillHeartbeat(contract::QoeEvent* e, const Playout& p, int64_t buffer_us,
                   int64_t* beat_played_us, int64_t* beat_stalled_us);

// What to do after a segment request, as the player does it (docs/player.md, "Edges",
// "Retries"): on to the next segment, or ask again after a wait; an error to report; whether
// the edge is left (it waits behind the others) and its connection closed. A response cut short
// after a good start is asked again from the same edge once (the origin cuts readers of a
// pipeline that died mid-segment, and serves the other pipeline's next); the first failure
// moves on to the next edge at once, and waiting starts when every edge failed in a row.
struct FetchOutcome {
  bool advance = false;
  std::string error;  // a QoE error kind ("": none)
  bool leave_edge = false;
  bool close = false;
  int64_t wait_ms = 0;
};
// `overdue`: the segment should long be whole (3 D after its start): a "not yet" is a hole.
FetchOutcome AfterSegment(const SegmentFetch& f, bool overdue, size_t edges, int* failures_in_a_row,
                          Backoff* backoff);

}  // namespace onair::player
