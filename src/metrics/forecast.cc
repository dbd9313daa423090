#include "metrics/forecast.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace onair::metrics {

namespace {

struct Line {  // y = a + b·x
  double a = 0, b = 0;
  bool ok = false;
};

Line FitLine(const std::vector<double>& x, const std::vector<double>& y) {
  const auto n = static_cast<double>(x.size());
  if (x.size() < 2) return {};
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const double d = n * sxx - sx * sx;
  if (std::abs(d) < 1e-12) return {};
  Line l;
  l.b = (n * sxy - sx * sy) / d;
  l.a = (sy - l.b * sx) / n;
  l.ok = std::isfinite(l.a) && std::isfinite(l.b);
  return l;
}

using Curve = std::function<double(double)>;  // viewers at t (seconds from the window's start)

// The fitted curve of a model, or nothing when it does not apply to these points.
using Fitter = std::function<std::optional<Curve>(const std::vector<Sample>&)>;

std::optional<Curve> FitLinear(const std::vector<Sample>& s) {
  std::vector<double> x, y;
  for (const Sample& p : s) {
    x.push_back(p.t_s);
    y.push_back(p.viewers);
  }
  const Line l = FitLine(x, y);
  if (!l.ok) return std::nullopt;
  return Curve([l](double t) { return std::max(0.0, l.a + l.b * t); });
}

std::optional<Curve> FitExponential(const std::vector<Sample>& s) {
  std::vector<double> x, y;
  for (const Sample& p : s) {
    if (p.viewers < 1) return std::nullopt;
    x.push_back(p.t_s);
    y.push_back(std::log(p.viewers));
  }
  const Line l = FitLine(x, y);
  if (!l.ok) return std::nullopt;
  return Curve([l](double t) { return std::exp(std::min(l.a + l.b * t, 40.0)); });
}

double SquaredError(const std::vector<Sample>& s, const Curve& f) {
  double e = 0;
  for (const Sample& p : s) e += (f(p.t_s) - p.viewers) * (f(p.t_s) - p.viewers);
  return e;
}

// y = K / (1 + e^(−r(t − t0))): for each K on a grid above the largest value seen,
// log(K/y − 1) is a line in t; the K whose curve fits y best wins.
std::optional<Curve> FitLogistic(const std::vector<Sample>& s) {
  double top = 0;
  for (const Sample& p : s) {
    if (p.viewers < 1) return std::nullopt;
    top = std::max(top, p.viewers);
  }
  std::optional<Curve> best;
  double best_error = std::numeric_limits<double>::infinity();
  for (double k = top * 1.005; k < top * 100; k *= 1.03) {
    std::vector<double> x, z;
    for (const Sample& p : s) {
      x.push_back(p.t_s);
      z.push_back(std::log(k / p.viewers - 1));
    }
    const Line l = FitLine(x, z);  // z = −r·t + r·t0
    if (!l.ok || l.b >= 0) continue;
    Curve f = [k, l](double t) { return k / (1 + std::exp(std::min(l.a + l.b * t, 700.0))); };
    const double e = SquaredError(s, f);
    if (e < best_error) {
      best_error = e;
      best = f;
    }
  }
  return best;
}

}  // namespace

Forecast PredictViewers(const std::vector<Sample>& all, double capacity, const ForecastOptions& o) {
  Forecast out;
  if (all.empty()) return out;
  // The recent window, its times from its start (keeps the fits well conditioned).
  const double end = all.back().t_s;
  std::vector<Sample> w;
  for (const Sample& p : all) {
    if (p.t_s >= end - o.window_s && std::isfinite(p.viewers) && p.viewers >= 0) w.push_back(p);
  }
  if (w.size() < o.min_samples) return out;
  const double t0 = w.front().t_s;
  for (Sample& p : w) p.t_s -= t0;
  const double now = w.back().t_s;

  // Which model predicts the last fifth from the rest best.
  const size_t split = w.size() * 4 / 5;
  const std::vector<Sample> fit(w.begin(), w.begin() + static_cast<long>(split));
  const std::vector<Sample> held(w.begin() + static_cast<long>(split), w.end());
  const std::pair<const char*, Fitter> models[] = {
      {"linear", FitLinear}, {"exponential", FitExponential}, {"logistic", FitLogistic}};
  const char* chosen = nullptr;
  Fitter chosen_fitter;
  double held_rmse = std::numeric_limits<double>::infinity();
  for (const auto& [name, fitter] : models) {
    const std::optional<Curve> f = fitter(fit);
    if (!f) continue;
    const double rmse = std::sqrt(SquaredError(held, *f) / static_cast<double>(held.size()));
    if (rmse < held_rmse) {
      held_rmse = rmse;
      chosen = name;
      chosen_fitter = fitter;
    }
  }
  if (!chosen) return out;
  const std::optional<Curve> f = chosen_fitter(w);
  if (!f) return out;
  out.model = chosen;

  // The holdout's error spans (now − split time) ahead; the interval grows with the horizon
  // in that unit, 1.645 of it for about 90 %.
  const double held_span = std::max(1.0, now - fit.back().t_s);
  for (double h : o.horizons_s) {
    const double v = (*f)(now + h);
    const double half = 1.645 * held_rmse * std::max(1.0, h / held_span);
    out.ahead.push_back({h, v, std::max(0.0, v - half), v + half});
  }
  if (capacity > 0 && !o.horizons_s.empty()) {
    const double last = *std::max_element(o.horizons_s.begin(), o.horizons_s.end());
    for (double h = 0; h <= last; h += 10) {
      if ((*f)(now + h) >= capacity) {
        out.capacity_in_s = h;
        break;
      }
    }
  }
  return out;
}

}  // namespace onair::metrics
