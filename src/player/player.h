// The headless player (`onair play`, and the library the load generator reuses): asks the
// playback service for its manifest, syncs its clock (UTCTiming), starts at its target
// latency behind the live edge computed from the wall clock, streams segments chunk by chunk
// from the best edge, adapts its bitrate, fails over between edges, follows the steering
// server, retries only as servers allow, sends CMCD, checks that every segment decodes, and
// measures what a viewer would see (QoE), which it posts in batches to `/v1/events`.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "contract/device.h"
#include "core/clock.h"
#include "core/status.h"

namespace onair::player {

// What the device tells the playback service (docs/playback.md, "The device").
struct DeviceProfile {
  std::string id;
  std::string type = "desktop";
  std::vector<std::string> codecs = {"avc"};
  int max_width = 1920, max_height = 1080;
  int64_t max_bitrate = 0;  // 0: no limit of its own
  std::string region;
};

// The description the playback service reads (contract/device.h), and its JSON.
contract::Device DeviceOf(const DeviceProfile& d);
std::string DeviceJson(const DeviceProfile& d);

struct PlayerConfig {
  std::string service;  // the playback service, http://host:port
  std::string event;
  // Instead of asking the playback service: any live DASH manifest with $Number$ templates,
  // read with a GET (no steering, no QoE events unless `service` is given too).
  std::string mpd_url;
  // Where a frame's capture time comes from: its chunk's prft box (false), or the manifest's
  // clock, AST + media time (true: for encoders whose prft says when they muxed, not when
  // the frame was captured).
  bool capture_from_ast = false;
  DeviceProfile device;
  int64_t duration_us = 0;                // of playback, from the first frame; 0: until Stop()
  int64_t start_timeout_us = 30'000'000;  // no first frame by then: give up
  int64_t target_latency_ms = 0;          // 0: the manifest's (ServiceDescription), else 3 s
  bool decode = true;                     // decode every segment (off for load generation)
  bool audio = true;
  int64_t events_interval_ms = 10'000;
  std::string session_id;  // "" : a random one
  uint64_t seed = 0;       // jitter; 0: from the session id
};

struct Percentiles {
  double p50 = 0, p95 = 0, max = 0;
  int count = 0;
};
Percentiles PercentilesOf(std::vector<double> samples);

struct QoeSummary {
  std::string session;
  std::string event;
  double played_s = 0;
  double ttff_ms = -1;  // -1: never started
  int rebuffers = 0;
  double rebuffer_s = 0;
  double longest_rebuffer_s = 0;
  int switches = 0;
  double avg_bitrate_bps = 0;
  int64_t last_bitrate_bps = 0;
  int64_t max_bitrate_played_bps = 0;
  Percentiles latency_s;  // glass to glass at the playhead (prft capture -> shown)
  Percentiles arrival_s;  // glass to glass at arrival (prft capture -> chunk received)
  int segments = 0;       // media segments received whole (all tracks)
  int decoded = 0;        // of those, decoded without error
  int undecodable = 0;
  int failovers = 0;
  std::map<std::string, int> errors;      // by kind
  std::map<std::string, int> edges;       // segments by edge (service location or URL)
  std::map<std::string, int> renditions;  // video segments by rendition
  // The video segments received, in order: segment number and rendition (the last 1 000).
  std::vector<std::pair<int64_t, std::string>> video_log;
  int events_posted = 0;
  int events_dropped = 0;
  std::string ToJson() const;
  std::string ToText() const;
};

class Player {
 public:
  Player(PlayerConfig config, Clock* clock);
  ~Player();
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;

  // Plays until the duration has been played or Stop(). An error when it could not start
  // (no manifest, nothing it can play, no first frame in time).
  Status Run();
  // From any thread (a signal handler's watcher): Run returns soon after.
  void Stop();
  // One line: position, rendition, bitrate, buffer, latency, edge, rebuffers, errors.
  std::string StatusLine() const;
  QoeSummary Summary() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onair::player
