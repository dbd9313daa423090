// CMAF packaging of one track through libavformat's fragmented-MP4 muxer, in memory:
// an init segment (ftyp+moov), then one fragment (prft+moof+mdat) per Flush(), which is a
// low-latency chunk. The tfdt of each fragment is the decode time of its first sample.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "media/encoder.h"
#include "media/frame.h"

struct AVFormatContext;
struct AVIOContext;

namespace onair::media {

class CmafWriter {
 public:
  // `ast` maps media time to UTC for the prft box of every fragment.
  static StatusOr<std::unique_ptr<CmafWriter>> Create(const Encoder& encoder, UtcMicros ast);
  ~CmafWriter();
  CmafWriter(const CmafWriter&) = delete;
  CmafWriter& operator=(const CmafWriter&) = delete;

  const std::string& init_segment() const { return init_; }
  // RFC 6381 codecs parameter ("avc1.64001f", "hvc1.1.6.L93.B0", "mp4a.40.2").
  const std::string& codec_string() const { return codec_string_; }
  int64_t timescale() const { return timescale_; }

  // Adds an encoded packet (timestamps in the encoder's timescale) to the open fragment.
  Status Write(const Packet& packet);
  // Closes the open fragment and returns its bytes (empty when no packet was written).
  StatusOr<std::string> Flush();

 private:
  CmafWriter() = default;
  static int OnWrite(void* opaque, uint8_t* buf, int size);

  AVFormatContext* oc_ = nullptr;
  AVIOContext* pb_ = nullptr;
  std::string pending_;
  std::string init_;
  std::string codec_string_;
  int64_t timescale_ = 0;
  int enc_tb_num_ = 1, enc_tb_den_ = 1;
  UtcMicros ast_ = 0;
  bool has_samples_ = false;
};

// The RFC 6381 codecs string of the first track of an init segment, or "" if unknown.
std::string CodecStringFromInit(const std::string& init);

}  // namespace onair::media
