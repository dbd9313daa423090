// Video (libx264, libx265) and audio (AAC) encoders configured for epoch-locked CMAF:
// no B-frames, no scene-cut keyframes, an IDR exactly where the caller forces one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/epoch.h"
#include "core/event_config.h"
#include "core/status.h"
#include "media/frame.h"

struct AVCodecContext;

namespace onair::media {

class Encoder {
 public:
  ~Encoder();
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  // `timescale` is the time base of frame pts (ticks per second).
  static StatusOr<std::unique_ptr<Encoder>> CreateVideo(const RenditionConfig& rendition,
                                                        Rational fps, int64_t timescale, int keyint,
                                                        int threads);
  static StatusOr<std::unique_ptr<Encoder>> CreateAudio(const AudioConfig& audio);

  // frame pts in the encoder's timescale; force_keyframe makes the picture an IDR.
  Status Send(const Frame& frame, bool force_keyframe);
  Status SendEndOfStream();
  // Appends every packet ready now.
  Status Receive(std::vector<Packet>* out);

  AVCodecContext* context() const { return ctx_; }
  int64_t timescale() const { return timescale_; }
  // Samples per audio frame (AAC: 1024); 0 for video.
  int frame_size() const;

 private:
  Encoder() = default;
  AVCodecContext* ctx_ = nullptr;
  int64_t timescale_ = 0;
};

}  // namespace onair::media
