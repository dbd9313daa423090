#include "metrics/wire.h"

#include <bit>
#include <cmath>

namespace onair::metrics {

void WireWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void WireWriter::Signed(int64_t v) {
  Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void WireWriter::Fixed64(uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>(v >> (8 * i)));
}

void WireWriter::Double(double d) { Fixed64(std::bit_cast<uint64_t>(d)); }

void WireWriter::Bytes(std::string_view b) {
  Varint(b.size());
  out_.append(b);
}

bool WireReader::Varint(uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in_.empty()) return false;
    const auto b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    if (shift == 63 && b > 1) return false;  // more than 64 bits
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

bool WireReader::Signed(int64_t* v) {
  uint64_t z = 0;
  if (!Varint(&z)) return false;
  *v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  return true;
}

bool WireReader::Fixed64(uint64_t* v) {
  if (in_.size() < 8) return false;
  *v = 0;
  for (int i = 0; i < 8; ++i) *v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
  in_.remove_prefix(8);
  return true;
}

bool WireReader::Double(double* d) {
  uint64_t bits = 0;
  if (!Fixed64(&bits)) return false;
  *d = std::bit_cast<double>(bits);
  return std::isfinite(*d);
}

bool WireReader::Bytes(std::string_view* b) {
  uint64_t n = 0;
  if (!Varint(&n) || n > in_.size()) return false;
  *b = in_.substr(0, n);
  in_.remove_prefix(n);
  return true;
}

}  // namespace onair::metrics
