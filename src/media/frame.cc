#include "media/frame.h"

#include <cstring>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/samplefmt.h>
}

namespace onair::media {

Frame::Frame(const Frame& other) {
  if (other.f_) {
    f_ = av_frame_alloc();
    av_frame_ref(f_, other.f_);
  }
}

Frame& Frame::operator=(const Frame& other) {
  if (this != &other) *this = Frame(other);
  return *this;
}

Frame& Frame::operator=(Frame&& other) noexcept {
  if (this != &other) {
    av_frame_free(&f_);
    f_ = other.f_;
    other.f_ = nullptr;
  }
  return *this;
}

Frame::~Frame() { av_frame_free(&f_); }

int64_t Frame::pts() const { return f_ ? f_->pts : AV_NOPTS_VALUE; }
void Frame::set_pts(int64_t pts) {
  if (f_) f_->pts = pts;
}
int Frame::width() const { return f_ ? f_->width : 0; }
int Frame::height() const { return f_ ? f_->height : 0; }
int Frame::nb_samples() const { return f_ ? f_->nb_samples : 0; }

Frame Frame::Clone() const {
  if (!f_) return Frame();
  AVFrame* c = av_frame_alloc();
  c->format = f_->format;
  c->width = f_->width;
  c->height = f_->height;
  c->nb_samples = f_->nb_samples;
  c->sample_rate = f_->sample_rate;
  av_channel_layout_copy(&c->ch_layout, &f_->ch_layout);
  if (av_frame_get_buffer(c, 0) < 0 || av_frame_copy(c, f_) < 0) {
    av_frame_free(&c);
    return Frame();
  }
  av_frame_copy_props(c, f_);
  return Frame(c);
}

Packet::Packet(const Packet& other) {
  if (other.p_) p_ = av_packet_clone(other.p_);
}

Packet& Packet::operator=(const Packet& other) {
  if (this != &other) *this = Packet(other);
  return *this;
}

Packet& Packet::operator=(Packet&& other) noexcept {
  if (this != &other) {
    av_packet_free(&p_);
    p_ = other.p_;
    other.p_ = nullptr;
  }
  return *this;
}

Packet::~Packet() { av_packet_free(&p_); }

int64_t Packet::pts() const { return p_ ? p_->pts : AV_NOPTS_VALUE; }
int64_t Packet::dts() const { return p_ ? p_->dts : AV_NOPTS_VALUE; }
int64_t Packet::duration() const { return p_ ? p_->duration : 0; }
void Packet::set_duration(int64_t duration) {
  if (p_) p_->duration = duration;
}
bool Packet::keyframe() const { return p_ && (p_->flags & AV_PKT_FLAG_KEY); }
int Packet::size() const { return p_ ? p_->size : 0; }

std::string AvErrorText(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

void SetLibraryLogLevel(const std::string& level) {
  av_log_set_level(level == "debug" || level == "trace" ? AV_LOG_INFO : AV_LOG_ERROR);
}

Frame BlackPicture(int width, int height) {
  AVFrame* f = av_frame_alloc();
  f->format = AV_PIX_FMT_YUV420P;
  f->width = width;
  f->height = height;
  av_frame_get_buffer(f, 0);
  for (int y = 0; y < height; ++y) std::memset(f->data[0] + y * f->linesize[0], 16, width);
  for (int p = 1; p < 3; ++p) {
    for (int y = 0; y < (height + 1) / 2; ++y) {
      std::memset(f->data[p] + y * f->linesize[p], 128, (width + 1) / 2);
    }
  }
  return Frame(f);
}

Frame Silence(int nb_samples, int sample_rate, int channels) {
  AVFrame* f = av_frame_alloc();
  f->format = AV_SAMPLE_FMT_FLTP;
  f->nb_samples = nb_samples;
  f->sample_rate = sample_rate;
  av_channel_layout_default(&f->ch_layout, channels);
  av_frame_get_buffer(f, 0);
  av_samples_set_silence(f->extended_data, 0, nb_samples, channels, AV_SAMPLE_FMT_FLTP);
  return Frame(f);
}

}  // namespace onair::media
