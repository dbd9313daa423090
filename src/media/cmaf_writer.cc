#include "media/cmaf_writer.h"

#include <cstring>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
}

namespace onair::media {

namespace {

uint32_t ReadU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Finds the payload of the first box of type `fourcc` anywhere in `data` by a walk through
// the container boxes that can hold sample entries.
bool FindBox(const uint8_t* data, size_t size, const char* fourcc, const uint8_t** payload,
             size_t* payload_size) {
  static const char* kContainers[] = {"moov", "trak", "mdia", "minf", "stbl"};
  size_t pos = 0;
  while (pos + 8 <= size) {
    uint32_t box_size = ReadU32(data + pos);
    if (box_size < 8 || pos + box_size > size) return false;
    const char* type = reinterpret_cast<const char*>(data + pos + 4);
    if (std::memcmp(type, fourcc, 4) == 0) {
      *payload = data + pos + 8;
      *payload_size = box_size - 8;
      return true;
    }
    for (const char* c : kContainers) {
      if (std::memcmp(type, c, 4) == 0 &&
          FindBox(data + pos + 8, box_size - 8, fourcc, payload, payload_size)) {
        return true;
      }
    }
    if (std::memcmp(type, "stsd", 4) == 0 && box_size > 16) {
      // stsd: version/flags, entry count, then sample entries whose children follow a
      // fixed-size header (78 bytes for visual, 28 for audio entries).
      const uint8_t* entry = data + pos + 16;
      const size_t entry_size = box_size - 16;
      if (entry_size >= 8) {
        const uint32_t es = ReadU32(entry);
        const char* et = reinterpret_cast<const char*>(entry + 4);
        const size_t header = (std::memcmp(et, "mp4a", 4) == 0) ? 28 : 78;
        if (es <= entry_size && es > 8 + header &&
            FindBox(entry + 8 + header, es - 8 - header, fourcc, payload, payload_size)) {
          return true;
        }
      }
    }
    pos += box_size;
  }
  return false;
}

std::string Hex2(unsigned v) {
  char b[4];
  std::snprintf(b, sizeof b, "%02X", v & 0xFF);
  return b;
}

}  // namespace

std::string CodecStringFromInit(const std::string& init) {
  const auto* d = reinterpret_cast<const uint8_t*>(init.data());
  const uint8_t* p = nullptr;
  size_t n = 0;
  if (FindBox(d, init.size(), "avcC", &p, &n) && n >= 4) {
    return "avc1." + Hex2(p[1]) + Hex2(p[2]) + Hex2(p[3]);
  }
  if (FindBox(d, init.size(), "hvcC", &p, &n) && n >= 13) {
    // ISO/IEC 14496-15 Annex E.3.
    const unsigned space = p[1] >> 6, tier = (p[1] >> 5) & 1, profile = p[1] & 0x1F;
    uint32_t compat = ReadU32(p + 2), reversed = 0;
    for (int i = 0; i < 32; ++i) reversed |= ((compat >> i) & 1u) << (31 - i);
    std::string s = "hvc1.";
    if (space) s += static_cast<char>('A' + space - 1);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%u.%X.%c%u", profile, reversed, tier ? 'H' : 'L', p[12]);
    s += buf;
    int last = 5;
    while (last >= 0 && p[6 + last] == 0) --last;
    for (int i = 0; i <= last; ++i) s += "." + Hex2(p[6 + i]);
    return s;
  }
  if (FindBox(d, init.size(), "esds", &p, &n)) {
    // The AudioSpecificConfig's first 5 bits are the audio object type; AAC-LC is 2.
    for (size_t i = 0; i + 2 < n; ++i) {
      if (p[i] == 0x05) {  // DecSpecificInfoTag
        size_t j = i + 1;
        while (j < n && (p[j] & 0x80)) ++j;
        if (j + 1 < n) return "mp4a.40." + std::to_string(p[j + 1] >> 3);
      }
    }
    return "mp4a.40.2";
  }
  return "";
}

int CmafWriter::OnWrite(void* opaque, uint8_t* buf, int size) {
  auto* self = static_cast<CmafWriter*>(opaque);
  self->pending_.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(size));
  return size;
}

CmafWriter::~CmafWriter() {
  if (oc_) avformat_free_context(oc_);
  if (pb_) {
    av_freep(&pb_->buffer);
    avio_context_free(&pb_);
  }
}

StatusOr<std::unique_ptr<CmafWriter>> CmafWriter::Create(const Encoder& encoder, UtcMicros ast) {
  std::unique_ptr<CmafWriter> w(new CmafWriter());
  w->ast_ = ast;
  const AVCodecContext* enc = encoder.context();
  w->enc_tb_num_ = enc->time_base.num;
  w->enc_tb_den_ = enc->time_base.den;
  w->timescale_ = encoder.timescale();
  if (avformat_alloc_output_context2(&w->oc_, nullptr, "mp4", nullptr) < 0 || !w->oc_) {
    return Internal("cannot create the MP4 muxer");
  }
  AVStream* st = avformat_new_stream(w->oc_, nullptr);
  if (!st) return Internal("cannot add a track");
  avcodec_parameters_from_context(st->codecpar, enc);
  st->time_base = enc->time_base;
  if (enc->codec_type == AVMEDIA_TYPE_VIDEO) {
    st->avg_frame_rate = enc->framerate;
    st->codecpar->codec_tag = enc->codec_id == AV_CODEC_ID_HEVC ? MKTAG('h', 'v', 'c', '1') : 0;
  }
  constexpr int kBufSize = 64 * 1024;
  auto* buf = static_cast<unsigned char*>(av_malloc(kBufSize));
  w->pb_ = avio_alloc_context(buf, kBufSize, 1, w.get(), nullptr, &CmafWriter::OnWrite, nullptr);
  if (!w->pb_) {
    av_free(buf);
    return Internal("cannot create in-memory I/O");
  }
  w->oc_->pb = w->pb_;
  w->oc_->flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_FLUSH_PACKETS;
  w->oc_->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;

  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "movflags",
              "+frag_custom+empty_moov+default_base_moof+frag_discont+skip_sidx+skip_trailer+cmaf",
              0);
  av_dict_set(&opts, "write_prft", "wallclock", 0);
  av_dict_set(&opts, "use_editlist", "0", 0);
  if (enc->codec_type == AVMEDIA_TYPE_VIDEO) {
    av_dict_set_int(&opts, "video_track_timescale", w->timescale_, 0);
  }
  const int err = avformat_write_header(w->oc_, &opts);
  av_dict_free(&opts);
  if (err < 0) return Internal("cannot write the init segment: " + AvErrorText(err));
  avio_flush(w->pb_);
  w->init_ = std::move(w->pending_);
  w->pending_.clear();
  w->codec_string_ = CodecStringFromInit(w->init_);
  return w;
}

Status CmafWriter::Write(const Packet& packet) {
  if (packet.empty()) return InvalidArgument("empty packet");
  Packet own(packet);
  AVPacket* p = own.av();
  p->stream_index = 0;
  const AVRational enc_tb{enc_tb_num_, enc_tb_den_};
  // Producer reference time: the capture UTC of the sample (AST + media time).
  auto* prft = reinterpret_cast<AVProducerReferenceTime*>(
      av_packet_new_side_data(p, AV_PKT_DATA_PRFT, sizeof(AVProducerReferenceTime)));
  if (prft) {
    prft->wallclock = ast_ + av_rescale_q(p->pts, enc_tb, AVRational{1, 1000000});
    prft->flags = 24;  // "captured": the time the sample was captured (ISO/IEC 14496-12)
  }
  av_packet_rescale_ts(p, enc_tb, oc_->streams[0]->time_base);
  const int err = av_write_frame(oc_, p);
  if (err < 0) return Internal("muxer refused a packet: " + AvErrorText(err));
  has_samples_ = true;
  return Status::Ok();
}

StatusOr<std::string> CmafWriter::Flush() {
  if (!has_samples_) return std::string();
  const int err = av_write_frame(oc_, nullptr);
  if (err < 0) return Internal("cannot close a fragment: " + AvErrorText(err));
  avio_flush(pb_);
  has_samples_ = false;
  std::string out = std::move(pending_);
  pending_.clear();
  return out;
}

}  // namespace onair::media
