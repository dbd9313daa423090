#include "origin/segment_check.h"

#include "core/epoch.h"
#include "media/bmff.h"

namespace onair::origin {

namespace {

using media::bmff::Box;
using media::bmff::Children;
using media::bmff::Find;
using media::bmff::MdhdTimescale;
using media::bmff::Path;
using media::bmff::TfdtTime;

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
  if (!mdhd) {
    info.problem = "no track with a media header";
    return info;
  }
  const std::optional<uint32_t> timescale = MdhdTimescale(bytes, *mdhd);
  if (!timescale) {
    info.problem = "short media header or timescale 0";
    return info;
  }
  info.timescale = *timescale;
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
        auto tfdt = TfdtTime(bytes, *tfdt_box);
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
