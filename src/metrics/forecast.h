// Concurrent viewers predicted minutes ahead during an event, from the join curve so far.
// Three shapes that join curves take are fitted by least squares to the recent window: a
// line (a steady trickle), an exponential (word spreading), a logistic (an audience that
// saturates, and a flash crowd's plateau after its jump). The one that best predicts the
// window's last fifth from the rest is refitted to the whole window and extrapolated; the
// interval widens with that holdout error and with the horizon. Against the fleet's capacity
// it says when the prediction first reaches it. docs/metrics.md states the errors reached on
// synthetic curves.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace onair::metrics {

struct Sample {
  double t_s;      // seconds, any origin, increasing
  double viewers;  // concurrent viewers at t_s
};

struct Prediction {
  double horizon_s;
  double viewers, low, high;  // the forecast and its interval (about 90 %)
};

struct Forecast {
  std::string model;  // "linear", "exponential", "logistic", or "" when there is too little
  std::vector<Prediction> ahead;
  std::optional<double> capacity_in_s;  // when the forecast reaches the capacity, if within
                                        // the last horizon (0: already)
};

struct ForecastOptions {
  double window_s = 20 * 60;  // the recent part of the curve that is fitted
  size_t min_samples = 12;
  std::vector<double> horizons_s = {5 * 60, 15 * 60, 30 * 60};
};

// `samples` in time order; capacity 0 when unknown.
Forecast PredictViewers(const std::vector<Sample>& samples, double capacity,
                        const ForecastOptions& o = {});

}  // namespace onair::metrics
