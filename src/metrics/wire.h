// The bytes the metrics service's pieces travel in between collectors and the aggregator:
// varints, little-endian doubles and length-prefixed byte strings. A reader never reads past
// its input and says when it ran out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace onair::metrics {

class WireWriter {
 public:
  void Varint(uint64_t v);
  void Signed(int64_t v);          // zigzag
  void Fixed64(uint64_t v);        // 8 bytes, little-endian
  void Double(double d);           // its bits as Fixed64
  void Bytes(std::string_view b);  // its length, then it
  void Raw(std::string_view b) { out_.append(b); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class WireReader {
 public:
  explicit WireReader(std::string_view in) : in_(in) {}
  bool Varint(uint64_t* v);
  bool Signed(int64_t* v);
  bool Fixed64(uint64_t* v);
  bool Double(double* d);  // false also for a value that is not finite
  bool Bytes(std::string_view* b);
  bool done() const { return in_.empty(); }
  std::string_view rest() const { return in_; }

 private:
  std::string_view in_;
};

}  // namespace onair::metrics
