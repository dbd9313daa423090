#include "media/encoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

namespace onair::media {

Encoder::~Encoder() { avcodec_free_context(&ctx_); }

int Encoder::frame_size() const { return ctx_ ? ctx_->frame_size : 0; }

StatusOr<std::unique_ptr<Encoder>> Encoder::CreateVideo(const RenditionConfig& r, Rational fps,
                                                        int64_t timescale, int keyint,
                                                        int threads) {
  const char* codec_name = r.codec == VideoCodec::kH264 ? "libx264" : "libx265";
  const AVCodec* codec = avcodec_find_encoder_by_name(codec_name);
  if (!codec) return Unavailable(std::string("this FFmpeg has no ") + codec_name);
  std::unique_ptr<Encoder> enc(new Encoder());
  AVCodecContext* c = avcodec_alloc_context3(codec);
  enc->ctx_ = c;
  enc->timescale_ = timescale;
  c->width = r.width;
  c->height = r.height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->time_base = AVRational{1, static_cast<int>(timescale)};
  c->framerate = AVRational{static_cast<int>(fps.num), static_cast<int>(fps.den)};
  c->sample_aspect_ratio = AVRational{1, 1};
  c->gop_size = keyint;
  c->keyint_min = keyint;
  c->max_b_frames = 0;
  c->thread_count = threads;
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  c->color_range = AVCOL_RANGE_MPEG;
  c->colorspace = AVCOL_SPC_BT709;
  c->color_primaries = AVCOL_PRI_BT709;
  c->color_trc = AVCOL_TRC_BT709;
  if (r.rate_control == RateControl::kCbr) {
    c->bit_rate = r.bitrate;
    c->rc_max_rate = r.bitrate;
    c->rc_buffer_size = static_cast<int>(r.bitrate);  // one second of VBV buffer
  } else {
    c->rc_max_rate = r.bitrate;
    c->rc_buffer_size = static_cast<int>(2 * r.bitrate);
    av_opt_set_double(c->priv_data, "crf", r.crf, 0);
  }
  av_opt_set(c->priv_data, "preset", r.preset.c_str(), 0);
  if (!r.tune.empty()) av_opt_set(c->priv_data, "tune", r.tune.c_str(), 0);
  av_opt_set_int(c->priv_data, "forced-idr", 1, 0);
  c->thread_type = FF_THREAD_FRAME;
  if (r.codec == VideoCodec::kH264) {
    c->profile = FF_PROFILE_H264_HIGH;
    av_opt_set(c->priv_data, "x264-params",
               r.rate_control == RateControl::kCbr ? "scenecut=0:open-gop=0:nal-hrd=cbr"
                                                   : "scenecut=0:open-gop=0",
               0);
  } else {
    c->codec_tag = MKTAG('h', 'v', 'c', '1');
    const std::string params =
        "scenecut=0:open-gop=0:bframes=0:repeat-headers=0:log-level=error:"
        "keyint=" +
        std::to_string(keyint) + ":min-keyint=" + std::to_string(keyint);
    av_opt_set(c->priv_data, "x265-params", params.c_str(), 0);
  }
  const int err = avcodec_open2(c, codec, nullptr);
  if (err < 0) {
    return InvalidArgument("cannot open " + std::string(codec_name) + " for rendition '" + r.name +
                           "': " + AvErrorText(err));
  }
  return enc;
}

StatusOr<std::unique_ptr<Encoder>> Encoder::CreateAudio(const AudioConfig& a) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (!codec) return Unavailable("this FFmpeg has no AAC encoder");
  std::unique_ptr<Encoder> enc(new Encoder());
  AVCodecContext* c = avcodec_alloc_context3(codec);
  enc->ctx_ = c;
  enc->timescale_ = a.sample_rate;
  c->sample_fmt = AV_SAMPLE_FMT_FLTP;
  c->sample_rate = a.sample_rate;
  av_channel_layout_default(&c->ch_layout, a.channels);
  c->bit_rate = a.bitrate;
  c->time_base = AVRational{1, a.sample_rate};
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  const int err = avcodec_open2(c, codec, nullptr);
  if (err < 0) return InvalidArgument("cannot open the AAC encoder: " + AvErrorText(err));
  return enc;
}

Status Encoder::Send(const Frame& frame, bool force_keyframe) {
  if (frame.empty()) return InvalidArgument("empty frame");
  // A new reference: the picture may be shared with other rungs, its properties are ours.
  Frame own(frame);
  AVFrame* f = own.av();
  if (ctx_->codec_type == AVMEDIA_TYPE_VIDEO) {
    f->pict_type = force_keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    f->key_frame = force_keyframe ? 1 : 0;
  }
  const int err = avcodec_send_frame(ctx_, f);
  if (err < 0) return Internal("encoder refused a frame: " + AvErrorText(err));
  return Status::Ok();
}

Status Encoder::SendEndOfStream() {
  const int err = avcodec_send_frame(ctx_, nullptr);
  if (err < 0 && err != AVERROR_EOF) return Internal("encoder flush: " + AvErrorText(err));
  return Status::Ok();
}

Status Encoder::Receive(std::vector<Packet>* out) {
  while (true) {
    AVPacket* p = av_packet_alloc();
    const int err = avcodec_receive_packet(ctx_, p);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) {
      av_packet_free(&p);
      return Status::Ok();
    }
    if (err < 0) {
      av_packet_free(&p);
      return Internal("encoder failed: " + AvErrorText(err));
    }
    out->emplace_back(p);
  }
}

}  // namespace onair::media
