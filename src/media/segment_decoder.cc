#include "media/segment_decoder.h"

#include <algorithm>
#include <cstring>
#include <memory>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include "media/frame.h"

namespace onair::media {
namespace {

struct MemoryReader {
  const std::string* bytes = nullptr;
  size_t at = 0;

  static int Read(void* opaque, uint8_t* buf, int size) {
    auto* r = static_cast<MemoryReader*>(opaque);
    const size_t n = std::min<size_t>(static_cast<size_t>(size), r->bytes->size() - r->at);
    if (n == 0) return AVERROR_EOF;
    std::memcpy(buf, r->bytes->data() + r->at, n);
    r->at += n;
    return static_cast<int>(n);
  }
  static int64_t Seek(void* opaque, int64_t offset, int whence) {
    auto* r = static_cast<MemoryReader*>(opaque);
    const auto size = static_cast<int64_t>(r->bytes->size());
    if (whence == AVSEEK_SIZE) return size;
    int64_t to = offset;
    if ((whence & ~AVSEEK_FORCE) == SEEK_CUR) to += static_cast<int64_t>(r->at);
    if ((whence & ~AVSEEK_FORCE) == SEEK_END) to += size;
    if (to < 0 || to > size) return AVERROR(EINVAL);
    r->at = static_cast<size_t>(to);
    return to;
  }
};

struct Demuxer {
  AVFormatContext* fmt = nullptr;
  AVIOContext* io = nullptr;
  AVCodecContext* dec = nullptr;
  AVPacket* packet = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  ~Demuxer() {
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    if (io) av_freep(&io->buffer);
    avio_context_free(&io);
  }
};

// Frames the decoder has ready; DataLoss if it reports an error.
Status Drain(Demuxer& d, DecodeReport* report) {
  for (;;) {
    const int err = avcodec_receive_frame(d.dec, d.frame);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return Status::Ok();
    if (err < 0)
      return DataLoss("frame " + std::to_string(report->frames) +
                      " does not decode: " + AvErrorText(err));
    if (d.frame->decode_error_flags != 0 || (d.frame->flags & AV_FRAME_FLAG_CORRUPT)) {
      return DataLoss("frame " + std::to_string(report->frames) + " decoded with errors");
    }
    ++report->frames;
    av_frame_unref(d.frame);
  }
}

}  // namespace

StatusOr<DecodeReport> DecodeSegment(const std::string& init, const std::string& media) {
  const std::string bytes = init + media;
  MemoryReader reader{&bytes, 0};
  Demuxer d;
  if (!d.packet || !d.frame) return Internal("out of memory");
  constexpr int kBufSize = 32 * 1024;
  auto* buf = static_cast<unsigned char*>(av_malloc(kBufSize));
  d.io = avio_alloc_context(buf, kBufSize, 0, &reader, &MemoryReader::Read, nullptr,
                            &MemoryReader::Seek);
  if (!d.io) {
    av_free(buf);
    return Internal("cannot create in-memory I/O");
  }
  d.fmt = avformat_alloc_context();
  if (!d.fmt) return Internal("out of memory");
  d.fmt->pb = d.io;
  d.fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
  int err = avformat_open_input(&d.fmt, nullptr, av_find_input_format("mp4"), nullptr);
  if (err < 0) return DataLoss("the segment does not demux: " + AvErrorText(err));
  if (d.fmt->nb_streams != 1) return DataLoss("the init segment has no single track");
  const AVCodecParameters* par = d.fmt->streams[0]->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (!codec) return DataLoss("no decoder for the track's codec");
  d.dec = avcodec_alloc_context3(codec);
  if (!d.dec || avcodec_parameters_to_context(d.dec, par) < 0) return Internal("decoder setup");
  d.dec->thread_count = 1;  // the player decodes beside its downloads on a small machine
  if ((err = avcodec_open2(d.dec, codec, nullptr)) < 0) {
    return DataLoss("cannot open the decoder: " + AvErrorText(err));
  }
  DecodeReport report;
  report.codec = codec->name;
  report.width = par->width;
  report.height = par->height;
  while ((err = av_read_frame(d.fmt, d.packet)) >= 0) {
    const int sent = avcodec_send_packet(d.dec, d.packet);
    av_packet_unref(d.packet);
    if (sent < 0 && sent != AVERROR(EAGAIN)) {
      return DataLoss("a packet does not decode: " + AvErrorText(sent));
    }
    ONAIR_RETURN_IF_ERROR(Drain(d, &report));
  }
  if (err != AVERROR_EOF) return DataLoss("the segment does not demux: " + AvErrorText(err));
  avcodec_send_packet(d.dec, nullptr);
  ONAIR_RETURN_IF_ERROR(Drain(d, &report));
  if (report.frames == 0) return DataLoss("the segment decodes to no frame");
  return report;
}

}  // namespace onair::media
