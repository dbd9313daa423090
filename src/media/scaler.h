// Picture scaling and pixel-format conversion to YUV 4:2:0 (libswscale).
#pragma once

#include "core/status.h"
#include "media/frame.h"

struct SwsContext;

namespace onair::media {

class Scaler {
 public:
  Scaler(int width, int height) : width_(width), height_(height) {}
  ~Scaler();
  Scaler(const Scaler&) = delete;
  Scaler& operator=(const Scaler&) = delete;

  // Returns `in` itself (shared) when it already has the target size and format.
  StatusOr<Frame> Scale(const Frame& in);

 private:
  int width_, height_;
  SwsContext* ctx_ = nullptr;
  int in_w_ = 0, in_h_ = 0, in_fmt_ = -1;
};

}  // namespace onair::media
