#include "metrics/quantiles.h"

#include <algorithm>
#include <cmath>

#include "metrics/wire.h"

namespace onair::metrics {

namespace {

const double kGamma = (1 + Quantiles::kRelativeAccuracy) / (1 - Quantiles::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);

constexpr char kMagic = 'Q';
constexpr char kVersion = 1;
// The most values a sketch from the wire may hold: ranks are exact in a double up to 2^53,
// and merging any two stays far from uint64_t's end.
constexpr uint64_t kMostCount = uint64_t{1} << 53;

}  // namespace

int Quantiles::IndexOf(double value) {
  // A collector adds each value to several sketches in a row (the event's, its edge's, its
  // region's...): the last value's index is kept so the logarithm is taken once.
  thread_local double last_value = -1;
  thread_local int last_index = 0;
  if (value == last_value) return last_index;
  last_value = value;
  value = std::min(value, kMaxValue);
  last_index = static_cast<int>(std::ceil(std::log(value) / kLogGamma));
  return last_index;
}

double Quantiles::ValueOf(int index) {
  // Bucket i holds (γ^(i−1), γ^i]; 2γ^i/(γ+1) is within α of every value in it.
  return 2 * std::pow(kGamma, index) / (kGamma + 1);
}

void Quantiles::Widen(int index) {
  if (buckets_.empty()) {
    offset_ = index;
    buckets_.assign(1, 0);
  } else if (index < offset_) {
    buckets_.insert(buckets_.begin(), static_cast<size_t>(offset_ - index), 0);
    offset_ = index;
  } else if (index >= offset_ + static_cast<int>(buckets_.size())) {
    buckets_.resize(static_cast<size_t>(index - offset_ + 1), 0);
  }
}

void Quantiles::Add(double value, uint64_t n) {
  if (n == 0 || !(value >= 0)) return;  // also refuses NaN
  value = std::min(value, kMaxValue);
  if (value < kMinValue) {
    zero_ += n;
  } else {
    const int i = IndexOf(value);
    Widen(i);
    buckets_[static_cast<size_t>(i - offset_)] += n;
  }
  min_ = count_ ? std::min(min_, value) : value;
  max_ = count_ ? std::max(max_, value) : value;
  count_ += n;
  sum_ += value * static_cast<double>(n);
}

void Quantiles::Merge(const Quantiles& o) {
  if (o.count_ == 0) return;
  if (!o.buckets_.empty()) {
    Widen(o.offset_);
    Widen(o.offset_ + static_cast<int>(o.buckets_.size()) - 1);
    for (size_t k = 0; k < o.buckets_.size(); ++k) {
      buckets_[static_cast<size_t>(o.offset_ - offset_) + k] += o.buckets_[k];
    }
  }
  zero_ += o.zero_;
  min_ = count_ ? std::min(min_, o.min_) : o.min_;
  max_ = count_ ? std::max(max_, o.max_) : o.max_;
  count_ += o.count_;
  sum_ += o.sum_;
}

double Quantiles::Quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const double rank = q * static_cast<double>(count_ - 1);
  double seen = static_cast<double>(zero_);
  if (rank < seen) return min_;  // a value under kMinValue: the least of them
  for (size_t k = 0; k < buckets_.size(); ++k) {
    seen += static_cast<double>(buckets_[k]);
    if (rank < seen) {
      return std::clamp(ValueOf(offset_ + static_cast<int>(k)), min_, max_);
    }
  }
  return max_;
}

bool Quantiles::SameAs(const Quantiles& o) const {
  if (count_ != o.count_ || zero_ != o.zero_ || min() != o.min() || max() != o.max()) {
    return false;
  }
  if (std::abs(sum_ - o.sum_) > 1e-9 * std::max(std::abs(sum_), std::abs(o.sum_))) return false;
  const auto at = [](const Quantiles& x, int i) -> uint64_t {
    const int k = i - x.offset_;
    return k >= 0 && k < static_cast<int>(x.buckets_.size()) ? x.buckets_[static_cast<size_t>(k)]
                                                             : 0;
  };
  const int lo = std::min(offset_, o.offset_);
  const int hi = std::max(offset_ + static_cast<int>(buckets_.size()),
                          o.offset_ + static_cast<int>(o.buckets_.size()));
  for (int i = lo; i < hi; ++i) {
    if (at(*this, i) != at(o, i)) return false;
  }
  return true;
}

std::string Quantiles::Encode() const {
  WireWriter w;
  w.Raw(std::string{kMagic, kVersion});
  w.Varint(zero_);
  // Only the used part of the window, from the first to the last non-empty bucket.
  size_t first = 0, last = buckets_.size();
  while (first < last && buckets_[first] == 0) ++first;
  while (last > first && buckets_[last - 1] == 0) --last;
  w.Signed(first < last ? offset_ + static_cast<int64_t>(first) : 0);  // canonical when empty
  w.Varint(last - first);
  for (size_t k = first; k < last; ++k) w.Varint(buckets_[k]);
  w.Double(sum_);
  w.Double(min());
  w.Double(max());
  return w.Take();
}

StatusOr<Quantiles> Quantiles::Decode(std::string_view in) {
  const auto bad = [](const char* why) {
    return InvalidArgument(std::string("quantile sketch: ") + why);
  };
  if (in.size() < 2 || in[0] != kMagic) return bad("not a sketch");
  if (in[1] != kVersion) return bad("unknown version");
  WireReader r(in.substr(2));
  Quantiles q;
  int64_t offset = 0;
  uint64_t n = 0;
  if (!r.Varint(&q.zero_) || !r.Signed(&offset) || !r.Varint(&n)) return bad("truncated");
  const int lowest = IndexOf(kMinValue), highest = IndexOf(kMaxValue);
  if (n > 0 &&
      (offset < lowest || offset > highest || n > static_cast<uint64_t>(highest - offset + 1))) {
    return bad("buckets out of range");
  }
  if (q.zero_ > kMostCount) return bad("count over 2^53");
  q.count_ = q.zero_;
  if (n > 0) {
    q.offset_ = static_cast<int>(offset);
    q.buckets_.resize(n);
    for (uint64_t& b : q.buckets_) {
      if (!r.Varint(&b)) return bad("truncated");
      if (b > kMostCount - q.count_) return bad("count over 2^53");
      q.count_ += b;
    }
  }
  if (!r.Double(&q.sum_) || !r.Double(&q.min_) || !r.Double(&q.max_)) {
    return bad("truncated or not finite");
  }
  if (!r.done()) return bad("trailing bytes");
  if (q.count_ == 0 ? (q.sum_ != 0 || q.min_ != 0 || q.max_ != 0)
                    : (q.min_ < 0 || q.min_ > q.max_ || q.max_ > kMaxValue || q.sum_ < 0)) {
    return bad("inconsistent summary");
  }
  return q;
}

}  // namespace onair::metrics
