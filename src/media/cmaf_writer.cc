#include "media/cmaf_writer.h"

#include <cstring>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
}

#include "media/bmff.h"

namespace onair::media {

namespace {

std::string Hex2(unsigned v) {
  char b[4];
  std::snprintf(b, sizeof b, "%02X", v & 0xFF);
  return b;
}

}  // namespace

std::string CodecStringFromInit(const std::string& init) {
  using bmff::Box;
  // moov/trak/mdia/minf/stbl/stsd; stsd holds version/flags and an entry count, then the
  // sample entries, whose children follow a fixed header (78 bytes visual, 28 audio).
  std::vector<Box> top;
  if (!bmff::Children(init, 0, init.size(), &top)) return "";
  const Box* moov = bmff::Find(top, "moov");
  if (!moov) return "";
  auto stsd = bmff::Path(init, *moov, {"trak", "mdia", "minf", "stbl", "stsd"});
  std::vector<Box> entries, inner;
  if (!stsd || stsd->payload_size() < 8 ||
      !bmff::Children(init, stsd->payload + 8, stsd->end, &entries) || entries.empty()) {
    return "";
  }
  const Box& entry = entries.front();
  const size_t header = entry.Is("mp4a") ? 28 : 78;
  if (entry.payload_size() < header ||
      !bmff::Children(init, entry.payload + header, entry.end, &inner)) {
    return "";
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(init.data());
  if (const Box* avcc = bmff::Find(inner, "avcC"); avcc && avcc->payload_size() >= 4) {
    const uint8_t* p = bytes + avcc->payload;
    return "avc1." + Hex2(p[1]) + Hex2(p[2]) + Hex2(p[3]);
  }
  if (const Box* hvcc = bmff::Find(inner, "hvcC"); hvcc && hvcc->payload_size() >= 13) {
    // ISO/IEC 14496-15 Annex E.3.
    const uint8_t* p = bytes + hvcc->payload;
    const unsigned space = p[1] >> 6, tier = (p[1] >> 5) & 1, profile = p[1] & 0x1F;
    const auto compat = static_cast<uint32_t>(bmff::ReadBE(init, hvcc->payload + 2, 4));
    uint32_t reversed = 0;
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
  if (const Box* esds = bmff::Find(inner, "esds")) {
    // The AudioSpecificConfig's first 5 bits are the audio object type; AAC-LC is 2.
    const uint8_t* p = bytes + esds->payload;
    const size_t n = esds->payload_size();
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
