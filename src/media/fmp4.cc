#include "media/fmp4.h"

#include "core/epoch.h"
#include "media/bmff.h"

namespace onair::media {
namespace {

using bmff::Box;
using bmff::Children;
using bmff::Find;
using bmff::Path;
using bmff::ReadBE;

constexpr uint64_t kMaxBox = 64u << 20;  // a chunk of a live ladder is far smaller

// Durations of the samples of one traf, and their count.
Status TrafSamples(const std::string& b, const Box& traf, const TrackTiming& track,
                   int64_t* duration, int* samples) {
  std::vector<Box> boxes;
  if (!Children(b, traf.payload, traf.end, &boxes)) return DataLoss("a traf box does not fit");
  const Box* tfhd = Find(boxes, "tfhd");
  if (!tfhd || tfhd->payload_size() < 8) return DataLoss("a traf without a good tfhd");
  const uint32_t tfhd_flags = static_cast<uint32_t>(ReadBE(b, tfhd->payload, 4)) & 0xffffff;
  size_t at = tfhd->payload + 8;
  if (tfhd_flags & 0x01) at += 8;  // base data offset
  if (tfhd_flags & 0x02) at += 4;  // sample description index
  uint32_t default_duration = track.default_sample_duration;
  if (tfhd_flags & 0x08) {
    if (at + 4 > tfhd->end) return DataLoss("a short tfhd");
    default_duration = static_cast<uint32_t>(ReadBE(b, at, 4));
  }
  for (const Box& trun : boxes) {
    if (!trun.Is("trun")) continue;
    if (trun.payload_size() < 8) return DataLoss("a short trun");
    const uint32_t flags = static_cast<uint32_t>(ReadBE(b, trun.payload, 4)) & 0xffffff;
    const uint64_t count = ReadBE(b, trun.payload + 4, 4);
    size_t p = trun.payload + 8;
    if (flags & 0x01) p += 4;
    if (flags & 0x04) p += 4;
    const size_t per = 4 * (((flags & 0x100) != 0) + ((flags & 0x200) != 0) +
                            ((flags & 0x400) != 0) + ((flags & 0x800) != 0));
    // Without per-sample fields (defaults from tfhd/trex) only the count is there.
    if (p > trun.end || count > 1'000'000 || (per > 0 && count > (trun.end - p) / per)) {
      return DataLoss("a trun's samples do not fit");
    }
    for (uint64_t i = 0; i < count; ++i) {
      if (flags & 0x100) {
        *duration += static_cast<int64_t>(ReadBE(b, p, 4));
      } else {
        *duration += default_duration;
      }
      p += per;
    }
    *samples += static_cast<int>(count);
  }
  return Status::Ok();
}

}  // namespace

UtcMicros NtpToUtc(uint64_t ntp) {
  constexpr int64_t kNtpToUnix = 2'208'988'800;  // seconds from 1900 to 1970
  const auto seconds = static_cast<int64_t>(ntp >> 32) - kNtpToUnix;
  const auto fraction = static_cast<int64_t>(((ntp & 0xffffffffu) * 1'000'000) >> 32);
  return seconds * 1'000'000 + fraction;
}

StatusOr<TrackTiming> ReadInit(const std::string& init) {
  std::vector<Box> top;
  if (!Children(init, 0, init.size(), &top)) return DataLoss("init: a box does not fit");
  const Box* moov = Find(top, "moov");
  if (!moov) return DataLoss("init: no moov");
  auto mdhd = Path(init, *moov, {"trak", "mdia", "mdhd"});
  if (!mdhd) return DataLoss("init: no media header");
  auto timescale = bmff::MdhdTimescale(init, *mdhd);
  if (!timescale) return DataLoss("init: a bad media header");
  TrackTiming info;
  info.timescale = *timescale;
  if (auto trex = Path(init, *moov, {"mvex", "trex"}); trex && trex->payload_size() >= 16) {
    info.default_sample_duration = static_cast<uint32_t>(ReadBE(init, trex->payload + 12, 4));
  }
  return info;
}

Status ChunkReader::Push(std::string_view bytes, std::vector<Chunk>* out) {
  if (skip_ > 0) {  // an mdat's payload, counted and let go
    const size_t n = static_cast<size_t>(std::min<uint64_t>(skip_, bytes.size()));
    bytes.remove_prefix(n);
    skip_ -= n;
    chunk_bytes_ += n;
    if (skip_ > 0) return Status::Ok();
    ONAIR_RETURN_IF_ERROR(Complete(out));
  }
  pending_.append(bytes);
  for (;;) {
    const size_t left = pending_.size() - consumed_;
    if (left < 8) break;
    uint64_t size = ReadBE(pending_, consumed_, 4);
    size_t header = 8;
    if (size == 1) {
      if (left < 16) break;
      size = ReadBE(pending_, consumed_ + 8, 8);
      header = 16;
    }
    if (size < header || size > kMaxBox) {
      return DataLoss("a box of " + std::to_string(size) + " bytes in a media segment");
    }
    const std::string_view type(pending_.data() + consumed_ + 4, 4);
    if (type == "mdat" && !keep_media_ && have_moof_) {
      // Its header tells what is left to come; what came of its payload already goes.
      const size_t here = std::min<size_t>(left, static_cast<size_t>(size));
      pending_.erase(consumed_, here);
      chunk_bytes_ += here;
      skip_ = size - here;
      if (skip_ > 0) break;
      ONAIR_RETURN_IF_ERROR(Complete(out));
      continue;
    }
    if (left < size) break;
    if (type == "moof") {
      if (have_moof_) return DataLoss("a moof without its mdat");
      have_moof_ = true;
    } else if (type == "mdat") {
      if (!have_moof_) return DataLoss("an mdat before any moof");
    } else if (type != "styp" && type != "prft" && type != "emsg" && type != "sidx" &&
               type != "free" && type != "skip") {
      return DataLoss("an unexpected '" + std::string(type) + "' box in a media segment");
    }
    consumed_ += static_cast<size_t>(size);
    chunk_bytes_ += size;
    if (type == "mdat") ONAIR_RETURN_IF_ERROR(Complete(out));
  }
  return Status::Ok();
}

Status ChunkReader::Complete(std::vector<Chunk>* out) {
  Chunk c;
  c.bytes = pending_.substr(0, consumed_);
  c.size = static_cast<size_t>(chunk_bytes_);
  pending_.erase(0, consumed_);
  consumed_ = 0;
  chunk_bytes_ = 0;
  have_moof_ = false;
  std::vector<Box> boxes;
  if (!Children(c.bytes, 0, c.bytes.size(), &boxes)) return DataLoss("a chunk does not parse");
  const Box* moof = Find(boxes, "moof");
  auto traf = Path(c.bytes, *moof, {"traf"});
  if (!traf) return DataLoss("a moof without a traf");
  auto tfdt = Path(c.bytes, *traf, {"tfdt"});
  std::optional<uint64_t> t = tfdt ? bmff::TfdtTime(c.bytes, *tfdt) : std::nullopt;
  if (!t || *t > (uint64_t{1} << 62)) return DataLoss("a traf without a good tfdt");
  c.decode_time = static_cast<int64_t>(*t);
  ONAIR_RETURN_IF_ERROR(TrafSamples(c.bytes, *traf, track_, &c.duration, &c.samples));
  if (const Box* prft = Find(boxes, "prft"); prft && prft->payload_size() >= 20) {
    const int version = static_cast<unsigned char>(c.bytes[prft->payload]);
    const uint64_t ntp = ReadBE(c.bytes, prft->payload + 8, 8);
    const size_t mt_size = version == 1 ? 8 : 4;
    if (prft->payload_size() >= 16 + mt_size && track_.timescale > 0) {
      const auto media_time =
          static_cast<int64_t>(ReadBE(c.bytes, prft->payload + 16, static_cast<int>(mt_size)));
      const int64_t apart = c.decode_time - media_time;  // a day at most, or the box lies
      if (media_time >= 0 && media_time < (int64_t{1} << 62) &&
          apart / 86400 < static_cast<int64_t>(track_.timescale) &&
          -apart / 86400 < static_cast<int64_t>(track_.timescale)) {
        const int64_t offset = RescaleRounded(apart, 1'000'000, track_.timescale);
        c.captured = NtpToUtc(ntp) + offset;
      }
    }
  }
  out->push_back(std::move(c));
  return Status::Ok();
}

}  // namespace onair::media
