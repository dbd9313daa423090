#include "metrics/forecast.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

namespace onair::metrics {
namespace {

using Truth = std::function<double(double /*minutes*/)>;

// The curve sampled every 10 s up to `seen_min` with 1 % noise, the forecast made then.
Forecast At(const Truth& truth, double seen_min, double capacity = 0) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> noise(1, 0.01);
  std::vector<Sample> s;
  for (double t = 0; t <= seen_min * 60; t += 10) s.push_back({t, truth(t / 60) * noise(rng)});
  return PredictViewers(s, capacity);
}

// The relative error of each horizon's forecast; the truth inside the interval at 5 minutes.
std::vector<double> Errors(const Truth& truth, double seen_min, const Forecast& f) {
  std::vector<double> e;
  for (const Prediction& p : f.ahead) {
    const double real = truth(seen_min + p.horizon_s / 60);
    e.push_back(std::abs(p.viewers - real) / real);
    if (p.horizon_s == 300) {
      EXPECT_LE(p.low, real * 1.02);
      EXPECT_GE(p.high, real * 0.98);
    }
  }
  return e;
}

void Report(const char* name, const Forecast& f, const std::vector<double>& e) {
  ASSERT_EQ(e.size(), 3u);
  std::printf("%-12s model %-12s error at 5/15/30 min: %.1f %% / %.1f %% / %.1f %%\n", name,
              f.model.c_str(), 100 * e[0], 100 * e[1], 100 * e[2]);
}

TEST(Forecast, ALinearJoin) {
  const Truth truth = [](double m) { return 1000 + 50 * m; };
  const Forecast f = At(truth, 20);
  const auto e = Errors(truth, 20, f);
  Report("linear", f, e);
  EXPECT_LT(e[1], 0.03);
  EXPECT_LT(e[2], 0.05);
}

TEST(Forecast, AnExponentialJoin) {
  const Truth truth = [](double m) { return 1000 * std::exp(m / 15); };
  const Forecast f = At(truth, 20);
  const auto e = Errors(truth, 20, f);
  Report("exponential", f, e);
  EXPECT_EQ(f.model, "exponential");
  EXPECT_LT(e[1], 0.05);
  EXPECT_LT(e[2], 0.10);
}

TEST(Forecast, ALogisticJoinPastItsInflection) {
  const Truth truth = [](double m) { return 100'000 / (1 + std::exp(-0.2 * (m - 30))); };
  const Forecast f = At(truth, 35);
  const auto e = Errors(truth, 35, f);
  Report("logistic", f, e);
  EXPECT_EQ(f.model, "logistic");
  EXPECT_LT(e[1], 0.05);
  EXPECT_LT(e[2], 0.05);
}

TEST(Forecast, AFlashCrowdThenItsPlateau) {
  // 2 000 viewers wait; at 10 min 48 000 arrive within a minute; a slow climb to 60 000.
  const Truth truth = [](double m) {
    if (m < 10) return 2000.0;
    const double jump = 48'000 * std::min(1.0, (m - 10));
    return 2000 + jump + 10'000 * (1 - std::exp(-(m - 10) / 20));
  };
  const Forecast f = At(truth, 20);
  const auto e = Errors(truth, 20, f);
  Report("flash crowd", f, e);
  EXPECT_LT(e[1], 0.10);
  EXPECT_LT(e[2], 0.15);
}

TEST(Forecast, SaysWhenTheFleetsCapacityIsReached) {
  const Truth truth = [](double m) { return 1000 + 100 * m; };  // +6 000 viewers an hour
  const Forecast f = At(truth, 20, 4000);                       // 3 000 now
  ASSERT_TRUE(f.capacity_in_s.has_value());
  EXPECT_NEAR(*f.capacity_in_s, 600, 30) << "10 minutes";
  EXPECT_FALSE(At(truth, 20, 1e6).capacity_in_s.has_value()) << "not within 30 minutes";
  EXPECT_EQ(*At(truth, 20, 2000).capacity_in_s, 0) << "already";
}

TEST(Forecast, TooLittleOrBrokenInputGivesNoForecast) {
  EXPECT_EQ(PredictViewers({}, 0).model, "");
  EXPECT_EQ(PredictViewers({{0, 1}, {10, 2}}, 0).model, "");
  std::vector<Sample> flat;
  for (int i = 0; i < 60; ++i) flat.push_back({i * 10.0, i % 3 == 0 ? NAN : 0.0});
  const Forecast f = PredictViewers(flat, 100);
  for (const Prediction& p : f.ahead) EXPECT_GE(p.viewers, 0);
}

}  // namespace
}  // namespace onair::metrics
