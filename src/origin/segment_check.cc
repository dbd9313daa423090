#include "origin/segment_check.h"

#include "core/epoch.h"
#include "media/bmff.h"

namespace onair::origin {

namespace {

using media::bmff::Box;
using media::bmff::Children;
using media::bmff::Find;
using media::bmff::Path;
using media::bmff::ReadBE;

// baseMediaDecodeTime of a tfdt box.
std::optional<uint64_t> Tfdt(const std::string& b, const Box& tfdt) {
  if (tfdt.end - tfdt.payload < 4) return std::nullopt;
  const int version = static_cast<unsigned char>(b[tfdt.payload]);
  const size_t need = version == 1 ? 12 : 8;
  if (tfdt.end - tfdt.payload < need) return std::nullopt;
  return ReadBE(b, tfdt.payload + 4, version == 1 ? 8 : 4);
}

}  // namespace

InitInfo CheckInit(const std::string& bytes) {
  InitInfo info;
  std::vector<Box> top;
  if (!Children(bytes, 0, bytes.size(), &top)) {
    info.problem = "a box does not fit in the bytes";
    return info;
  }
  if (top.empty() || !top[0].Is("ftyp")) {
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
  info.timescale = static_cast<uint32_t>(ReadBE(bytes, at, 4));
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
  if (!Children(bytes, 0, bytes.size(), &top) || top.empty()) return {"corrupt"};
  bool moof_open = false, any_fragment = false;
  std::optional<uint64_t> first_tfdt;
  for (const Box& box : top) {
    if (box.Is("moof")) {
      if (moof_open) return {"corrupt"};  // two moofs without an mdat
      std::vector<Box> children;
      if (!Children(bytes, box.payload, box.end, &children)) return {"corrupt"};
      bool any_traf = false;
      for (const Box& c : children) {
        if (!c.Is("traf")) continue;
        any_traf = true;
        auto tfdt_box = Path(bytes, box, {"traf", "tfdt"});
        if (!tfdt_box) return {"corrupt"};
        auto tfdt = Tfdt(bytes, *tfdt_box);
        if (!tfdt) return {"corrupt"};
        if (!first_tfdt) first_tfdt = tfdt;
      }
      if (!any_traf) return {"corrupt"};
      moof_open = true;
    } else if (box.Is("mdat")) {
      if (!moof_open) return {"corrupt"};
      moof_open = false;
      any_fragment = true;
    } else if (!box.Is("styp") && !box.Is("sidx") && !box.Is("prft") && !box.Is("emsg") &&
               !box.Is("free") && !box.Is("skip")) {
      return {"corrupt"};
    }
  }
  if (moof_open || !any_fragment || !first_tfdt) return {"corrupt"};
  if (timescale > 0 && n >= 0) {
    // The first frame at or after n·D: at the boundary tick or up to one frame after.
    const auto boundary =
        static_cast<uint64_t>(EpochTimeline(0, segment_us).BoundaryTicks(n, timescale));
    const uint64_t slack = timescale / 10;
    if (*first_tfdt < boundary || *first_tfdt - boundary > slack) return {"wrong-time"};
  }
  return {};
}

}  // namespace onair::origin
