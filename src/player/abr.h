// Adaptive bitrate: which rendition the next segment comes from. A "dynamic" rule as in
// dash.js: while the buffer is short (live at low latency, start-up, after a stall) the
// throughput rule decides, guarded by the buffer (down at once when it runs low, up one rung
// at a time and only when it is full); with a long buffer (catch-up, DVR) BOLA decides from
// the buffer level alone. Never above a cap. Pure logic: the player feeds it measurements.
#pragma once

#include <cstdint>
#include <vector>

namespace onair::player {

struct Rung {
  int64_t bandwidth = 0;  // bits/s, as the manifest declares
  int height = 0;
};

// 0: no cap.
struct Cap {
  int64_t max_bitrate = 0;
  int max_height = 0;
  bool Allows(const Rung& r) const {
    return (max_bitrate == 0 || r.bandwidth <= max_bitrate) &&
           (max_height == 0 || r.height <= max_height);
  }
};

// Throughput from downloads: the smaller of a fast and a slow moving average (quick to see a
// drop, slow to trust a rise), each sample weighted by its duration.
class ThroughputEstimator {
 public:
  void Add(int64_t bytes, int64_t micros);
  double bits_per_second() const;  // 0 until it has seen enough bytes

 private:
  double fast_ = 0, slow_ = 0;
  double fast_weight_ = 0, slow_weight_ = 0;
  int64_t bytes_seen_ = 0;
};

struct AbrInput {
  double buffer_s = 0;         // media ahead of the playhead
  double throughput_bps = 0;   // 0: not known yet
  double target_buffer_s = 1;  // the buffer the player holds at its target latency
  Cap cap;
};

class AbrController {
 public:
  // `rungs`: lowest bandwidth first; segment_s: D.
  AbrController(std::vector<Rung> rungs, double segment_s);

  // The rung (index) of the next segment; call at each segment boundary.
  int Choose(const AbrInput& in);
  int current() const { return current_; }

  double safety = 0.85;  // share of the measured throughput the rendition may take
  // BOLA takes over above this buffer (seconds): past the reach of live at low latency.
  double bola_from_s;

 private:
  int Highest(const AbrInput& in, double bps) const;  // highest allowed rung under bps
  int Lowest(const Cap& cap) const;
  int Bola(const AbrInput& in) const;

  std::vector<Rung> rungs_;
  double segment_s_;
  int current_ = -1;
  int up_votes_ = 0;
};

}  // namespace onair::player
