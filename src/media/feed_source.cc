#include "media/feed_source.h"

#include <deque>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

namespace onair::media {

std::string FeedKind(const std::string& url) {
  for (const char* scheme : {"srt", "rtmp", "udp", "rtp", "tcp", "http", "https"}) {
    const std::string prefix = std::string(scheme) + "://";
    if (url.rfind(prefix, 0) == 0) return scheme;
  }
  return "file";
}

struct FeedSource::Impl {
  FeedOptions options;
  const std::atomic<bool>* stop = nullptr;
  Clock* clock = nullptr;
  AVFormatContext* fmt = nullptr;
  AVCodecContext* vdec = nullptr;
  AVCodecContext* adec = nullptr;
  SwrContext* swr = nullptr;
  int vindex = -1, aindex = -1;
  int64_t deadline_us = 0;  // for the interrupt callback; 0 = none
  bool is_file = false;
  // Looping files: the offset added to every timestamp so time never goes back.
  int64_t loop_offset_us = 0;
  int64_t last_pts_us = 0;
  int64_t first_pts_us = AV_NOPTS_VALUE;
  // Real-time pacing of files.
  bool paced_anchor_set = false;
  UtcMicros pace_wall = 0;
  int64_t pace_pts = 0;
  std::deque<DecodedFrame> ready;
  bool eof = false;

  ~Impl() {
    avcodec_free_context(&vdec);
    avcodec_free_context(&adec);
    swr_free(&swr);
    avformat_close_input(&fmt);
  }

  static int Interrupt(void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (self->stop && self->stop->load()) return 1;
    return self->deadline_us && self->clock->Now() > self->deadline_us;
  }
  void ArmDeadline() { deadline_us = clock->Now() + options.io_timeout_us; }
};

FeedSource::FeedSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FeedSource::~FeedSource() = default;

namespace {

Status OpenDecoder(AVStream* st, AVCodecContext** out) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) {
    return InvalidArgument(std::string("no decoder for ") +
                           avcodec_get_name(st->codecpar->codec_id));
  }
  AVCodecContext* c = avcodec_alloc_context3(codec);
  avcodec_parameters_to_context(c, st->codecpar);
  c->pkt_timebase = st->time_base;
  c->thread_count = 2;
  const int err = avcodec_open2(c, codec, nullptr);
  if (err < 0) {
    avcodec_free_context(&c);
    return InvalidArgument("cannot open the decoder: " + AvErrorText(err));
  }
  *out = c;
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<FeedSource>> FeedSource::Open(const FeedOptions& options,
                                                       const std::atomic<bool>* stop,
                                                       Clock* clock) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->stop = stop;
  impl->clock = clock;
  const std::string kind = FeedKind(options.url);
  impl->is_file = kind == "file";
  impl->fmt = avformat_alloc_context();
  impl->fmt->interrupt_callback = {&Impl::Interrupt, impl.get()};
  impl->fmt->flags |= AVFMT_FLAG_DISCARD_CORRUPT | AVFMT_FLAG_GENPTS;
  AVDictionary* opts = nullptr;
  if (kind == "rtmp") av_dict_set(&opts, "listen", "1", 0);
  if (kind == "udp") av_dict_set(&opts, "overrun_nonfatal", "1", 0);
  if (kind == "srt" || kind == "udp" || kind == "rtmp") {
    // Listeners wait for their sender as long as it takes; only `stop` interrupts them.
    impl->deadline_us = 0;
  } else {
    impl->ArmDeadline();
  }
  // Enough to find a keyframe in a 1-2 s GOP without holding a returning feed back long.
  av_dict_set(&opts, "probesize", "1000000", 0);
  av_dict_set(&opts, "analyzeduration", "1000000", 0);
  int err = avformat_open_input(&impl->fmt, options.url.c_str(), nullptr, &opts);
  av_dict_free(&opts);
  if (err < 0) {
    // avformat_open_input frees the context on failure.
    impl->fmt = nullptr;
    if (stop && stop->load()) return Cancelled("stopped while opening " + options.url);
    return Unavailable("cannot open feed '" + options.url + "': " + AvErrorText(err));
  }
  impl->ArmDeadline();
  err = avformat_find_stream_info(impl->fmt, nullptr);
  if (err < 0) return Unavailable("cannot read feed '" + options.url + "': " + AvErrorText(err));
  impl->vindex = av_find_best_stream(impl->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  impl->aindex = av_find_best_stream(impl->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (impl->vindex < 0) return InvalidArgument("feed '" + options.url + "' has no video");
  ONAIR_RETURN_IF_ERROR(OpenDecoder(impl->fmt->streams[impl->vindex], &impl->vdec));
  if (impl->aindex >= 0) {
    Status s = OpenDecoder(impl->fmt->streams[impl->aindex], &impl->adec);
    if (!s.ok()) impl->aindex = -1;  // play on without audio; the timeline fills silence
  }
  for (unsigned i = 0; i < impl->fmt->nb_streams; ++i) {
    if (static_cast<int>(i) != impl->vindex && static_cast<int>(i) != impl->aindex) {
      impl->fmt->streams[i]->discard = AVDISCARD_ALL;
    }
  }
  return std::unique_ptr<FeedSource>(new FeedSource(std::move(impl)));
}

std::string FeedSource::Describe() const {
  std::string s = FeedKind(impl_->options.url) + " " + impl_->options.url + ": ";
  const AVCodecContext* v = impl_->vdec;
  s += std::string(avcodec_get_name(v->codec_id)) + " " + std::to_string(v->width) + "x" +
       std::to_string(v->height);
  if (impl_->adec) {
    s += " + " + std::string(avcodec_get_name(impl_->adec->codec_id)) + " " +
         std::to_string(impl_->adec->sample_rate) + " Hz";
  } else {
    s += ", no audio";
  }
  return s;
}

StatusOr<DecodedFrame> FeedSource::Next() {
  Impl& m = *impl_;
  while (m.ready.empty()) {
    if (m.stop && m.stop->load()) return Cancelled("stopped");
    if (m.eof) return EndOfStream("end of " + m.options.url);
    AVPacket* pkt = av_packet_alloc();
    m.ArmDeadline();
    int err = av_read_frame(m.fmt, pkt);
    if (err == AVERROR_EOF && m.is_file && m.options.loop) {
      av_packet_free(&pkt);
      // Go round again; shift time by what we have played so timestamps keep rising.
      m.loop_offset_us =
          m.last_pts_us + 40000 - (m.first_pts_us == AV_NOPTS_VALUE ? 0 : m.first_pts_us);
      avcodec_flush_buffers(m.vdec);
      if (m.adec) avcodec_flush_buffers(m.adec);
      if (av_seek_frame(m.fmt, -1, m.fmt->start_time == AV_NOPTS_VALUE ? 0 : m.fmt->start_time,
                        AVSEEK_FLAG_BACKWARD) < 0) {
        m.eof = true;
      }
      continue;
    }
    if (err == AVERROR_EOF) {
      av_packet_free(&pkt);
      m.eof = true;
      continue;
    }
    if (err < 0) {
      av_packet_free(&pkt);
      if (m.stop && m.stop->load()) return Cancelled("stopped");
      return Unavailable("feed '" + m.options.url + "' read failed: " + AvErrorText(err));
    }
    AVCodecContext* dec = nullptr;
    const bool video = pkt->stream_index == m.vindex;
    if (video)
      dec = m.vdec;
    else if (pkt->stream_index == m.aindex)
      dec = m.adec;
    if (!dec) {
      av_packet_free(&pkt);
      continue;
    }
    if (pkt->flags & AV_PKT_FLAG_CORRUPT) ++corrupt_packets_;
    err = avcodec_send_packet(dec, pkt);
    av_packet_free(&pkt);
    if (err < 0 && err != AVERROR(EAGAIN)) {
      ++corrupt_packets_;  // a broken packet costs its frame, never the feed
      continue;
    }
    const AVRational tb = m.fmt->streams[video ? m.vindex : m.aindex]->time_base;
    while (true) {
      AVFrame* f = av_frame_alloc();
      err = avcodec_receive_frame(dec, f);
      if (err < 0) {
        av_frame_free(&f);
        if (err != AVERROR(EAGAIN) && err != AVERROR_EOF) ++corrupt_packets_;
        break;
      }
      if (f->decode_error_flags || (f->flags & AV_FRAME_FLAG_CORRUPT)) ++corrupt_packets_;
      const int64_t ts = f->best_effort_timestamp;
      if (ts == AV_NOPTS_VALUE) {
        av_frame_free(&f);
        continue;
      }
      DecodedFrame out;
      out.is_video = video;
      out.pts_us = av_rescale_q(ts, tb, AVRational{1, 1000000}) + m.loop_offset_us;
      if (m.first_pts_us == AV_NOPTS_VALUE) m.first_pts_us = out.pts_us;
      if (video) {
        m.last_pts_us = std::max(m.last_pts_us, out.pts_us);
        out.frame = Frame(f);
      } else {
        if (!m.swr) {
          AVChannelLayout dst;
          av_channel_layout_default(&dst, m.options.channels);
          if (swr_alloc_set_opts2(&m.swr, &dst, AV_SAMPLE_FMT_FLTP, m.options.sample_rate,
                                  &f->ch_layout, static_cast<AVSampleFormat>(f->format),
                                  f->sample_rate, 0, nullptr) < 0 ||
              swr_init(m.swr) < 0) {
            av_frame_free(&f);
            swr_free(&m.swr);
            continue;
          }
        }
        AVFrame* o = av_frame_alloc();
        o->format = AV_SAMPLE_FMT_FLTP;
        o->sample_rate = m.options.sample_rate;
        av_channel_layout_default(&o->ch_layout, m.options.channels);
        if (swr_convert_frame(m.swr, o, f) < 0 || o->nb_samples == 0) {
          av_frame_free(&o);
          av_frame_free(&f);
          continue;
        }
        av_frame_free(&f);
        out.frame = Frame(o);
      }
      m.ready.push_back(std::move(out));
    }
  }
  DecodedFrame next = std::move(m.ready.front());
  m.ready.pop_front();
  if (m.is_file && m.options.realtime) {
    if (!m.paced_anchor_set) {
      m.paced_anchor_set = true;
      m.pace_wall = m.clock->Now();
      m.pace_pts = next.pts_us;
    }
    m.clock->SleepUntil(m.pace_wall + (next.pts_us - m.pace_pts));
  }
  return next;
}

}  // namespace onair::media
