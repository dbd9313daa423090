#include "media/bmff.h"

#include <cstring>

namespace onair::media::bmff {

bool Box::Is(const char* fourcc) const { return std::memcmp(type, fourcc, 4) == 0; }

uint64_t ReadBE(const std::string& b, size_t at, int n) {
  uint64_t v = 0;
  for (int k = 0; k < n; ++k) v = (v << 8) | static_cast<unsigned char>(b[at + k]);
  return v;
}

bool Children(const std::string& b, size_t begin, size_t end, std::vector<Box>* out) {
  if (end > b.size() || begin > end) return false;
  size_t at = begin;
  while (at < end) {
    if (end - at < 8) return false;
    uint64_t size = ReadBE(b, at, 4);
    size_t header = 8;
    if (size == 1) {
      if (end - at < 16) return false;
      size = ReadBE(b, at + 8, 8);
      header = 16;
    } else if (size == 0) {
      size = end - at;
    }
    if (size < header || size > end - at) return false;
    Box box;
    std::memcpy(box.type, b.data() + at + 4, 4);
    box.payload = at + header;
    box.end = at + static_cast<size_t>(size);
    out->push_back(box);
    at = box.end;
  }
  return true;
}

const Box* Find(const std::vector<Box>& boxes, const char* type) {
  for (const Box& box : boxes) {
    if (box.Is(type)) return &box;
  }
  return nullptr;
}

std::optional<Box> Path(const std::string& b, const Box& from,
                        std::initializer_list<const char*> path) {
  Box at = from;
  for (const char* type : path) {
    std::vector<Box> children;
    if (!Children(b, at.payload, at.end, &children)) return std::nullopt;
    const Box* next = Find(children, type);
    if (!next) return std::nullopt;
    at = *next;
  }
  return at;
}

std::optional<uint64_t> TfdtTime(const std::string& b, const Box& tfdt) {
  if (tfdt.end - tfdt.payload < 4) return std::nullopt;
  const int version = static_cast<unsigned char>(b[tfdt.payload]);
  const size_t need = version == 1 ? 12 : 8;
  if (tfdt.end - tfdt.payload < need) return std::nullopt;
  return ReadBE(b, tfdt.payload + 4, version == 1 ? 8 : 4);
}

std::optional<uint32_t> MdhdTimescale(const std::string& b, const Box& mdhd) {
  if (mdhd.end - mdhd.payload < 4) return std::nullopt;
  const int version = static_cast<unsigned char>(b[mdhd.payload]);
  const size_t at = mdhd.payload + (version == 1 ? 20 : 12);
  if (at + 4 > mdhd.end) return std::nullopt;
  const auto timescale = static_cast<uint32_t>(ReadBE(b, at, 4));
  if (timescale == 0) return std::nullopt;
  return timescale;
}

}  // namespace onair::media::bmff
