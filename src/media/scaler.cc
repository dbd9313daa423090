#include "media/scaler.h"

extern "C" {
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
}

namespace onair::media {

Scaler::~Scaler() { sws_freeContext(ctx_); }

StatusOr<Frame> Scaler::Scale(const Frame& in) {
  const AVFrame* src = in.av();
  if (!src) return InvalidArgument("no picture to scale");
  if (src->width == width_ && src->height == height_ && src->format == AV_PIX_FMT_YUV420P) {
    return in;
  }
  if (!ctx_ || src->width != in_w_ || src->height != in_h_ || src->format != in_fmt_) {
    sws_freeContext(ctx_);
    ctx_ = sws_getContext(src->width, src->height, static_cast<AVPixelFormat>(src->format), width_,
                          height_, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr);
    if (!ctx_) {
      return InvalidArgument("cannot scale " + std::to_string(src->width) + "x" +
                             std::to_string(src->height) + " pixel format " +
                             std::to_string(src->format));
    }
    in_w_ = src->width;
    in_h_ = src->height;
    in_fmt_ = src->format;
  }
  AVFrame* dst = av_frame_alloc();
  dst->format = AV_PIX_FMT_YUV420P;
  dst->width = width_;
  dst->height = height_;
  if (av_frame_get_buffer(dst, 0) < 0) {
    av_frame_free(&dst);
    return Internal("out of memory for a scaled picture");
  }
  sws_scale(ctx_, src->data, src->linesize, 0, src->height, dst->data, dst->linesize);
  av_frame_copy_props(dst, src);
  return Frame(dst);
}

}  // namespace onair::media
