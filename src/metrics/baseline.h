// The expected value of a per-second series and how far from it is unusual: Holt's double
// exponential smoothing (a level and a trend), as the published stream-starts-per-second
// detectors use, with a band of k mean absolute deviations of its one-step forecast errors.
// A point outside the band is an anomaly (a drop in starts: viewers cannot start; a surge:
// a flash crowd coming). A point outside the band moves the level with a far smaller weight
// (a half-life of about two minutes) and its trend as slowly, so an outage does not become the new
// normal within seconds, and a lasting change of level does within minutes.
#pragma once

#include <cstdint>

namespace onair::metrics {

struct BaselineOptions {
  double level_weight = 0.3;      // α: how fast the level follows the series
  double trend_weight = 0.1;      // β: how fast the trend follows the level's changes
  double deviation_weight = 0.1;  // how fast the band follows the forecast errors
  double band = 4;                // k: deviations from the forecast that are unusual
  double min_deviation = 1;       // the band's floor, in the series' unit (small counts jitter)
  int warm_up = 30;               // points before any is judged
  double anomaly_weight = 0.005;  // α and β for points outside the band
};

class Baseline {
 public:
  enum class Verdict { kWarmingUp, kNormal, kBelow, kAbove };

  explicit Baseline(BaselineOptions o = {}) : o_(o) {}

  // Judges x against the forecast made before it, then learns from it.
  Verdict Add(double x);

  // The forecast for the next point and its band (meaningful once warmed up).
  double expected() const { return level_ + trend_; }
  double lower() const { return expected() - o_.band * Deviation(); }
  double upper() const { return expected() + o_.band * Deviation(); }
  int64_t points() const { return points_; }

 private:
  double Deviation() const { return deviation_ > o_.min_deviation ? deviation_ : o_.min_deviation; }

  BaselineOptions o_;
  double level_ = 0, trend_ = 0, deviation_ = 0;
  int64_t points_ = 0;
};

const char* VerdictName(Baseline::Verdict v);

}  // namespace onair::metrics
