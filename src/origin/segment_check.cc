#include "origin/segment_check.h"

#include <cstring>

namespace onair::origin {

namespace {

__extension__ typedef unsigned __int128 u128;

struct Box {
  char type[5] = {0, 0, 0, 0, 0};
  size_t payload = 0;  // offset of the payload
  size_t end = 0;      // offset just past the box
};

uint64_t Be(const std::string& b, size_t at, int n) {
  uint64_t v = 0;
  for (int k = 0; k < n; ++k) v = (v << 8) | static_cast<unsigned char>(b[at + k]);
  return v;
}

// The boxes in [begin, end); false if one does not fit.
bool Boxes(const std::string& b, size_t begin, size_t end, std::vector<Box>& out) {
  size_t at = begin;
  while (at < end) {
    if (end - at < 8) return false;
    uint64_t size = Be(b, at, 4);
    size_t header = 8;
    if (size == 1) {
      if (end - at < 16) return false;
      size = Be(b, at + 8, 8);
      header = 16;
    } else if (size == 0) {
      size = end - at;
    }
    if (size < header || size > end - at) return false;
    Box box;
    std::memcpy(box.type, b.data() + at + 4, 4);
    box.payload = at + header;
    box.end = at + static_cast<size_t>(size);
    out.push_back(box);
    at = box.end;
  }
  return true;
}

const Box* Find(const std::vector<Box>& boxes, const char* type) {
  for (const Box& box : boxes) {
    if (std::memcmp(box.type, type, 4) == 0) return &box;
  }
  return nullptr;
}

// Descends a path of container boxes; nullptr if a step is missing or malformed.
std::optional<Box> Path(const std::string& b, const Box& from,
                        std::initializer_list<const char*> path) {
  Box at = from;
  for (const char* type : path) {
    std::vector<Box> children;
    if (!Boxes(b, at.payload, at.end, children)) return std::nullopt;
    const Box* next = Find(children, type);
    if (!next) return std::nullopt;
    at = *next;
  }
  return at;
}

// baseMediaDecodeTime of a tfdt box.
std::optional<uint64_t> Tfdt(const std::string& b, const Box& tfdt) {
  if (tfdt.end - tfdt.payload < 4) return std::nullopt;
  const int version = static_cast<unsigned char>(b[tfdt.payload]);
  const size_t need = version == 1 ? 12 : 8;
  if (tfdt.end - tfdt.payload < need) return std::nullopt;
  return Be(b, tfdt.payload + 4, version == 1 ? 8 : 4);
}

}  // namespace

InitInfo CheckInit(const std::string& bytes) {
  InitInfo info;
  std::vector<Box> top;
  if (!Boxes(bytes, 0, bytes.size(), top)) {
    info.problem = "a box does not fit in the bytes";
    return info;
  }
  if (top.empty() || std::memcmp(top[0].type, "ftyp", 4) != 0) {
    info.problem = "does not start with ftyp";
    return info;
  }
  const Box* moov = Find(top, "moov");
  if (!moov) {
    info.problem = "no moov";
    return info;
  }
  auto mdhd = Path(bytes, *moov, {"trak", "mdia", "mdhd"});
  if (!mdhd || mdhd->end - mdhd->payload < 24) {
    info.problem = "no track with a media header";
    return info;
  }
  const int version = static_cast<unsigned char>(bytes[mdhd->payload]);
  const size_t at = mdhd->payload + (version == 1 ? 20 : 12);
  if (at + 4 > mdhd->end) {
    info.problem = "short media header";
    return info;
  }
  info.timescale = static_cast<uint32_t>(Be(bytes, at, 4));
  if (info.timescale == 0) {
    info.problem = "timescale 0";
    return info;
  }
  info.valid = true;
  return info;
}

std::vector<std::string> CheckMediaSegment(const std::string& bytes, uint32_t timescale, int64_t n,
                                           int64_t segment_us) {
  std::vector<Box> top;
  if (!Boxes(bytes, 0, bytes.size(), top) || top.empty()) return {"corrupt"};
  bool moof_open = false, any_fragment = false;
  std::optional<uint64_t> first_tfdt;
  for (const Box& box : top) {
    const std::string type(box.type, 4);
    if (type == "moof") {
      if (moof_open) return {"corrupt"};  // two moofs without an mdat
      std::vector<Box> children;
      if (!Boxes(bytes, box.payload, box.end, children)) return {"corrupt"};
      bool any_traf = false;
      for (const Box& c : children) {
        if (std::memcmp(c.type, "traf", 4) != 0) continue;
        any_traf = true;
        auto tfdt_box = Path(bytes, box, {"traf", "tfdt"});
        if (!tfdt_box) return {"corrupt"};
        auto tfdt = Tfdt(bytes, *tfdt_box);
        if (!tfdt) return {"corrupt"};
        if (!first_tfdt) first_tfdt = tfdt;
      }
      if (!any_traf) return {"corrupt"};
      moof_open = true;
    } else if (type == "mdat") {
      if (!moof_open) return {"corrupt"};
      moof_open = false;
      any_fragment = true;
    } else if (type != "styp" && type != "sidx" && type != "prft" && type != "emsg" &&
               type != "free" && type != "skip") {
      return {"corrupt"};
    }
  }
  if (moof_open || !any_fragment || !first_tfdt) return {"corrupt"};
  if (timescale > 0 && n >= 0) {
    const u128 boundary_num = static_cast<u128>(n) * static_cast<uint64_t>(segment_us) * timescale;
    const auto boundary = static_cast<uint64_t>((boundary_num + 999999) / 1000000);
    const uint64_t slack = timescale / 10;
    if (*first_tfdt < boundary || *first_tfdt - boundary > slack) return {"wrong-time"};
  }
  return {};
}

}  // namespace onair::origin
