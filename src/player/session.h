// One playback session of the headless player (inside Player; not a public header): the state
// its threads share and the jobs they do, each in its own file. player.cc starts the session
// (manifest, clock, first segment) and runs the playout; track.cc fetches one track's
// segments; control.cc follows the steering server and posts the QoE events.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "contract/qoe.h"
#include "core/clock.h"
#include "media/fmp4.h"
#include "net/http_client.h"
#include "player/abr.h"
#include "player/edges.h"
#include "player/mpd.h"
#include "player/plan.h"
#include "player/player.h"
#include "player/playout.h"
#include "player/qoe_log.h"

namespace onair::player {

struct Player::Impl {
  Impl(PlayerConfig c, Clock* cl);

  PlayerConfig cfg;
  Clock* clock;
  std::atomic<bool> stop{false};
  std::mutex wake_mu;
  std::condition_variable wake;

  // Fixed once the manifest is read.
  Presentation mpd;
  SessionPlan plan;  // its tracks and timing, as below
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
  double bitrate_seconds = 0;                       // bits/s x seconds played, for the average
  int64_t beat_played_us = 0, beat_stalled_us = 0;  // at the previous heartbeat
  std::vector<double> latency_samples, arrival_samples;
  QoeSummary stats;
  QoeLog events;  // not posted yet (its own lock)

  // ----- time (player.cc) -----
  UtcMicros Now() const { return clock->Now() + clock_offset_us; }
  // Waits until `t` (synced clock) or Stop(); false if stopped.
  bool SleepUntil(UtcMicros t);
  bool SleepMs(int64_t ms) { return SleepUntil(Now() + ms * 1000); }
  std::string EdgeName(const BaseUrl& b) const;

  // ----- QoE (player.cc) -----
  // An event of `type` now, with the fields `fill` sets.
  contract::QoeEvent NewEvent(contract::QoeType type) const;
  // An error event; `edge` names the edge it came from, when it is an edge's.
  void Error(const std::string& kind, const std::string& detail, const std::string& edge = "");

  // ----- the session (player.cc) -----
  std::string ManifestUrl() const;
  StatusOr<std::string> FetchManifest();
  void SyncClock();
  // The session; one that fails before it plays (no manifest, nothing to play) still says
  // so in QoE events: an error and an end, not started, fatal.
  Status Run();
  Status Session();
  void ReportEarlyFailure(const Status& why);
  void Tick();
  void SkipHole(int64_t pos);

  // ----- a track's segments (track.cc) -----
  int64_t SegmentStart(const AdaptationSet& set, int64_t number) const;
  int64_t SegmentAt(const AdaptationSet& set, int64_t media_us) const;
  void FetchTrack(const AdaptationSet& set, bool is_video, int64_t first_number);
  // A chunk that arrived: into its track's buffer, with its capture time and throughput.
  void TakeChunk(const media::Chunk& c, int64_t transfer_us, const media::TrackTiming& track,
                 const AdaptationSet& set, bool is_video, UtcMicros asked);

  // ----- steering and QoE events (control.cc) -----
  void Control();
  bool control_started = false;  // Session's thread only
  void PollSteering(std::string* url, UtcMicros* next_at);
  void PostEvents(net::HttpConnection& conn, const std::string& target);
  void Heartbeat();
};

}  // namespace onair::player
