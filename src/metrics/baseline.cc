#include "metrics/baseline.h"

#include <cmath>

namespace onair::metrics {

Baseline::Verdict Baseline::Add(double x) {
  if (!std::isfinite(x)) return points_ < o_.warm_up ? Verdict::kWarmingUp : Verdict::kNormal;
  if (points_ == 0) {
    level_ = x;
    trend_ = 0;
    deviation_ = 0;
    ++points_;
    return Verdict::kWarmingUp;
  }
  const double forecast = level_ + trend_;
  const double error = x - forecast;
  Verdict v = Verdict::kWarmingUp;
  if (points_ >= o_.warm_up) {
    const double limit = o_.band * Deviation();
    v = error < -limit ? Verdict::kBelow : error > limit ? Verdict::kAbove : Verdict::kNormal;
  }
  const bool unusual = v == Verdict::kBelow || v == Verdict::kAbove;
  const double a = unusual ? o_.anomaly_weight : o_.level_weight;
  const double b = unusual ? o_.anomaly_weight : o_.trend_weight;
  const double previous = level_;
  level_ = a * x + (1 - a) * forecast;
  trend_ = b * (level_ - previous) + (1 - b) * trend_;
  if (!unusual) {
    deviation_ = o_.deviation_weight * std::abs(error) + (1 - o_.deviation_weight) * deviation_;
  }
  ++points_;
  return v;
}

const char* VerdictName(Baseline::Verdict v) {
  switch (v) {
    case Baseline::Verdict::kWarmingUp:
      return "warming_up";
    case Baseline::Verdict::kNormal:
      return "normal";
    case Baseline::Verdict::kBelow:
      return "below";
    case Baseline::Verdict::kAbove:
      return "above";
  }
  return "normal";
}

}  // namespace onair::metrics
