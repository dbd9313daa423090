#include "metrics/quantiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace onair::metrics {
namespace {

// The exact quantile at rank q·(n−1) of sorted values.
double Exact(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<size_t>(q * static_cast<double>(sorted.size() - 1))];
}

void ExpectWithinAccuracy(const Quantiles& s, std::vector<double> values) {
  std::sort(values.begin(), values.end());
  for (double q : {0.0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    const double want = Exact(values, q);
    EXPECT_NEAR(s.Quantile(q), want, want * Quantiles::kRelativeAccuracy + 1e-12) << "q " << q;
  }
}

TEST(Quantiles, AnswersEveryQuantileWithinOnePercentOfAValueAdded) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> startup_ms(std::log(800), 0.6);  // video startup time
  std::vector<double> values;
  Quantiles s;
  for (int i = 0; i < 100'000; ++i) {
    values.push_back(startup_ms(rng));
    s.Add(values.back());
  }
  EXPECT_EQ(s.count(), 100'000u);
  ExpectWithinAccuracy(s, values);
  EXPECT_EQ(s.min(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(s.max(), *std::max_element(values.begin(), values.end()));
  EXPECT_LT(s.bucket_bytes(), 8u * 1024) << "a few hundred buckets for two decades";
}

TEST(Quantiles, MergedPartsAreTheSketchOfTheWhole) {
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> latency(1.0 / 1500);
  Quantiles whole, parts[3];
  for (int i = 0; i < 30'000; ++i) {
    const double v = latency(rng) + (i % 7 == 0 ? 0 : 200);
    whole.Add(v);
    parts[i % 3].Add(v);
  }
  Quantiles merged;
  for (const Quantiles& p : parts) merged.Merge(p);
  EXPECT_TRUE(merged.SameAs(whole));
  for (double q : {0.5, 0.95, 0.99}) EXPECT_EQ(merged.Quantile(q), whole.Quantile(q));
  Quantiles other_order = parts[2];
  other_order.Merge(parts[0]);
  other_order.Merge(parts[1]);
  EXPECT_TRUE(other_order.SameAs(whole));
}

TEST(Quantiles, ZeroTinyHugeAndInvalidValues) {
  Quantiles s;
  EXPECT_EQ(s.Quantile(0.5), 0);
  s.Add(0);
  s.Add(1e-6);
  s.Add(5e12);          // over the range: counted as kMaxValue
  s.Add(-1);            // refused
  s.Add(std::nan(""));  // refused
  s.Add(3, 0);          // nothing
  EXPECT_EQ(s.count(), 3u);
  EXPECT_EQ(s.Quantile(0), 0);
  EXPECT_EQ(s.Quantile(1), Quantiles::kMaxValue);
  EXPECT_EQ(s.max(), Quantiles::kMaxValue);
}

TEST(Quantiles, WeightedAddsCountAsThatManyValues) {
  Quantiles a, b;
  a.Add(100, 5);
  for (int i = 0; i < 5; ++i) b.Add(100);
  EXPECT_TRUE(a.SameAs(b));
  EXPECT_DOUBLE_EQ(a.sum(), 500);
}

TEST(Quantiles, EncodesAndDecodesToTheSameSketch) {
  Quantiles s;
  for (int i = 0; i < 1000; ++i) s.Add(i * 3.7);
  const std::string bytes = s.Encode();
  EXPECT_LT(bytes.size(), 1000u);
  auto back = Quantiles::Decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->SameAs(s));
  EXPECT_EQ(back->Encode(), bytes);
  auto empty = Quantiles::Decode(Quantiles().Encode());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Quantiles, DecodeRefusesWhatEncodeWouldNotWrite) {
  Quantiles s;
  s.Add(10);
  s.Add(2000);
  const std::string good = s.Encode();
  EXPECT_FALSE(Quantiles::Decode("").ok());
  EXPECT_FALSE(Quantiles::Decode("X\x01").ok());
  EXPECT_FALSE(Quantiles::Decode(std::string("Q\x02") + good.substr(2)).ok());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(Quantiles::Decode(good.substr(0, n)).ok()) << "cut at " << n;
  }
  EXPECT_FALSE(Quantiles::Decode(good + "x").ok());
  std::string huge = "Q\x01";
  huge += '\0';                    // zero
  huge += "\x80\x80\x80\x80\x01";  // offset far out of range
  huge += '\x01';                  // one bucket
  huge += '\x01';
  huge += std::string(24, '\0');
  EXPECT_FALSE(Quantiles::Decode(huge).ok());
  // A count no sketch reaches (2^63: two of them merged would wrap to 0; found by the fuzzer).
  std::string vast = "Q\x01";
  vast += '\0';
  vast += "\xe0\x03";  // offset 240
  vast += '\x01';
  vast += std::string("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 10);
  vast += std::string(24, '\0');
  EXPECT_FALSE(Quantiles::Decode(vast).ok());
}

TEST(Quantiles, EncodesOneWayWhateverTheWindowHeld) {
  // Buckets all zero (only values under the range, or a decoded window of zeros): one form.
  Quantiles zeros;
  zeros.Add(1e-6);
  std::string odd = "Q\x01";
  odd += '\x01';      // one value under kMinValue
  odd += "\xe0\x03";  // a window at 240 ...
  odd += '\x02';      // ... of two empty buckets
  odd += std::string(2, '\0');
  odd += std::string(8, '\0');  // sum 0
  std::string least(8, '\0'), most(8, '\0');
  auto back = Quantiles::Decode(odd + least + most);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->Encode(), Quantiles::Decode(back->Encode())->Encode());
  EXPECT_EQ(back->Encode().substr(0, 5), zeros.Encode().substr(0, 5))
      << "zero, offset 0, no buckets";
}

}  // namespace
}  // namespace onair::metrics
