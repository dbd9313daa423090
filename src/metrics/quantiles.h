// A mergeable quantile sketch with a relative-error guarantee (the DDSketch construction):
// values fall into logarithmic buckets of ratio γ = (1 + α) / (1 − α), so any quantile it
// answers is within α (1 %) of a value that was added, and two sketches merge exactly by
// adding their buckets: the per-second aggregates of many collectors merge into the sketch
// one collector would have built from all the events. For non-negative measurements (video
// startup time, latency, stall durations in ms); values under kMinValue count as zero and
// values over kMaxValue as kMaxValue.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace onair::metrics {

class Quantiles {
 public:
  static constexpr double kRelativeAccuracy = 0.01;
  static constexpr double kMinValue = 1e-3;
  static constexpr double kMaxValue = 1e9;

  void Add(double value, uint64_t n = 1);
  void Merge(const Quantiles& other);

  // The value at rank q·(count−1) (q in [0, 1]), within α of it; 0 when empty.
  double Quantile(double q) const;
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double min() const { return count_ ? min_ : 0; }
  double max() const { return count_ ? max_ : 0; }
  bool empty() const { return count_ == 0; }
  // Bytes held by the buckets (the window between the lowest and highest one used).
  size_t bucket_bytes() const { return buckets_.capacity() * sizeof(uint64_t); }

  // A compact binary form for the wire between collectors and the aggregator (little-endian
  // varints); Decode refuses anything Encode would not have written.
  std::string Encode() const;
  static StatusOr<Quantiles> Decode(std::string_view bytes);

  // The same buckets, count, minimum and maximum, and sums equal but for the order in which
  // they were added (floating-point addition is not associative).
  bool SameAs(const Quantiles& o) const;

 private:
  static int IndexOf(double value);
  static double ValueOf(int index);  // the bucket's midpoint in relative terms
  void Widen(int index);             // make the window hold `index`

  uint64_t zero_ = 0;              // values under kMinValue
  int offset_ = 0;                 // the index of buckets_[0]
  std::vector<uint64_t> buckets_;  // a contiguous window of indexes
  uint64_t count_ = 0;
  double sum_ = 0;
  double min_ = 0, max_ = 0;
};

}  // namespace onair::metrics
