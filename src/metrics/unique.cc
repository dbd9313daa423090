#include "metrics/unique.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "metrics/wire.h"

namespace onair::metrics {

namespace {

constexpr char kMagic = 'U';
constexpr char kVersion = 1;
constexpr char kExact = 0, kSketch = 1;
constexpr uint8_t kMaxRank = 64 - UniqueCount::kPrecision + 1;

}  // namespace

uint64_t UniqueCount::Hash(std::string_view id) { return XXH3_64bits(id.data(), id.size()); }

UniqueCount::UniqueCount(const UniqueCount& o)
    : hashes_(o.hashes_),
      registers_(o.registers_ ? std::make_unique<Registers>(*o.registers_) : nullptr) {}

UniqueCount& UniqueCount::operator=(const UniqueCount& o) {
  if (this != &o) {
    hashes_ = o.hashes_;
    registers_ = o.registers_ ? std::make_unique<Registers>(*o.registers_) : nullptr;
  }
  return *this;
}

void UniqueCount::Set(uint64_t hash) {
  // The first kPrecision bits pick the register; the rank is where the first 1 is in the rest.
  const size_t j = hash >> (64 - kPrecision);
  const uint64_t rest = hash << kPrecision;
  const auto rank = static_cast<uint8_t>(std::min<int>(std::countl_zero(rest) + 1, kMaxRank));
  uint8_t& r = (*registers_)[j];
  r = std::max(r, rank);
}

void UniqueCount::ToRegisters() {
  registers_ = std::make_unique<Registers>();
  registers_->fill(0);
  for (uint64_t h : hashes_) Set(h);
  hashes_.clear();
  hashes_.shrink_to_fit();
}

void UniqueCount::AddHash(uint64_t hash) {
  if (registers_) {
    Set(hash);
    return;
  }
  auto it = std::lower_bound(hashes_.begin(), hashes_.end(), hash);
  if (it != hashes_.end() && *it == hash) return;
  hashes_.insert(it, hash);
  if (hashes_.size() > kExactUpTo) ToRegisters();
}

void UniqueCount::Merge(const UniqueCount& o) {
  if (!registers_ && !o.registers_) {
    std::vector<uint64_t> both;
    both.reserve(hashes_.size() + o.hashes_.size());
    std::set_union(hashes_.begin(), hashes_.end(), o.hashes_.begin(), o.hashes_.end(),
                   std::back_inserter(both));
    hashes_ = std::move(both);
    if (hashes_.size() > kExactUpTo) ToRegisters();
    return;
  }
  if (!registers_) ToRegisters();
  if (o.registers_) {
    for (size_t j = 0; j < kRegisters; ++j) {
      (*registers_)[j] = std::max((*registers_)[j], (*o.registers_)[j]);
    }
  } else {
    for (uint64_t h : o.hashes_) Set(h);
  }
}

uint64_t UniqueCount::Estimate() const {
  if (!registers_) return hashes_.size();
  const double m = kRegisters;
  double sum = 0;
  size_t zeros = 0;
  for (uint8_t r : *registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  double e = alpha * m * m / sum;
  if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));  // small range
  return static_cast<uint64_t>(std::llround(e));
}

std::string UniqueCount::Encode() const {
  std::string out{kMagic, kVersion, registers_ ? kSketch : kExact};
  if (registers_) {
    out.append(reinterpret_cast<const char*>(registers_->data()), kRegisters);
    return out;
  }
  WireWriter w;
  for (uint64_t h : hashes_) w.Fixed64(h);
  return out + w.Take();
}

StatusOr<UniqueCount> UniqueCount::Decode(std::string_view in) {
  const auto bad = [](const char* why) {
    return InvalidArgument(std::string("unique count: ") + why);
  };
  if (in.size() < 3 || in[0] != kMagic) return bad("not a unique count");
  if (in[1] != kVersion) return bad("unknown version");
  const char mode = in[2];
  in.remove_prefix(3);
  UniqueCount u;
  if (mode == kSketch) {
    if (in.size() != kRegisters) return bad("registers of the wrong size");
    u.registers_ = std::make_unique<Registers>();
    for (size_t j = 0; j < kRegisters; ++j) {
      const auto r = static_cast<uint8_t>(in[j]);
      if (r > kMaxRank) return bad("register out of range");
      (*u.registers_)[j] = r;
    }
    return u;
  }
  if (mode != kExact) return bad("unknown mode");
  if (in.size() % 8 != 0 || in.size() / 8 > kExactUpTo) return bad("hashes of the wrong size");
  u.hashes_.reserve(in.size() / 8);
  WireReader r(in);
  for (uint64_t h = 0; r.Fixed64(&h);) {
    if (!u.hashes_.empty() && h <= u.hashes_.back()) return bad("hashes not sorted and distinct");
    u.hashes_.push_back(h);
  }
  return u;
}

}  // namespace onair::metrics
