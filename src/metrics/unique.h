// A mergeable count of distinct identifiers (unique viewers by session id): exact while it
// has seen few (their 64-bit hashes kept, up to kExactUpTo), then a HyperLogLog of 2^14
// registers (16 KiB, standard error 0.81 %, the precision Redis and the published HLL++
// default to). Merging two counts gives the count of the union, as if one had seen all, so
// collectors' partial counts merge into the aggregator's exactly.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace onair::metrics {

class UniqueCount {
 public:
  static constexpr int kPrecision = 14;
  static constexpr size_t kRegisters = size_t{1} << kPrecision;
  static constexpr size_t kExactUpTo = 2048;  // 16 KiB of hashes, the registers' size

  void Add(std::string_view id) { AddHash(Hash(id)); }
  void AddHash(uint64_t hash);
  void Merge(const UniqueCount& other);
  uint64_t Estimate() const;
  bool exact() const { return registers_ == nullptr; }
  bool empty() const { return exact() && hashes_.empty(); }  // nothing added

  static uint64_t Hash(std::string_view id);  // XXH3, the same in every process

  // The wire form between collectors and the aggregator; Decode refuses what Encode would
  // not have written.
  std::string Encode() const;
  static StatusOr<UniqueCount> Decode(std::string_view bytes);

  UniqueCount() = default;
  UniqueCount(const UniqueCount& o);
  UniqueCount& operator=(const UniqueCount& o);
  UniqueCount(UniqueCount&&) noexcept = default;
  UniqueCount& operator=(UniqueCount&&) noexcept = default;

 private:
  using Registers = std::array<uint8_t, kRegisters>;
  void ToRegisters();
  void Set(uint64_t hash);

  std::vector<uint64_t> hashes_;          // while exact: sorted, distinct
  std::unique_ptr<Registers> registers_;  // once past kExactUpTo
};

}  // namespace onair::metrics
