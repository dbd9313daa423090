#include "media/content_analyzer.h"

#include <cmath>
#include <cstdlib>

extern "C" {
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
#include <libavutil/opt.h>
}

namespace onair::media {

namespace {

Status BuildGraph(AVFilterGraph** graph, AVFilterContext** src, AVFilterContext** sink,
                  const char* src_name, const std::string& src_args, const char* sink_name,
                  const std::string& chain) {
  *graph = avfilter_graph_alloc();
  if (!*graph) return Internal("out of memory for a filter graph");
  (*graph)->nb_threads = 1;
  int err = avfilter_graph_create_filter(src, avfilter_get_by_name(src_name), "in",
                                         src_args.c_str(), nullptr, *graph);
  if (err < 0) return Internal("filter source: " + AvErrorText(err));
  err = avfilter_graph_create_filter(sink, avfilter_get_by_name(sink_name), "out", nullptr, nullptr,
                                     *graph);
  if (err < 0) return Internal("filter sink: " + AvErrorText(err));
  AVFilterInOut* outputs = avfilter_inout_alloc();
  AVFilterInOut* inputs = avfilter_inout_alloc();
  outputs->name = av_strdup("in");
  outputs->filter_ctx = *src;
  inputs->name = av_strdup("out");
  inputs->filter_ctx = *sink;
  err = avfilter_graph_parse_ptr(*graph, chain.c_str(), &inputs, &outputs, nullptr);
  avfilter_inout_free(&inputs);
  avfilter_inout_free(&outputs);
  if (err < 0) return Internal("filter chain '" + chain + "': " + AvErrorText(err));
  err = avfilter_graph_config(*graph, nullptr);
  if (err < 0) return Internal("filter graph: " + AvErrorText(err));
  return Status::Ok();
}

}  // namespace

ContentAnalyzer::ContentAnalyzer(ContentAnalyzerParams params) : params_(params) {}

ContentAnalyzer::~ContentAnalyzer() {
  Free(video_);
  Free(audio_);
}

void ContentAnalyzer::Free(Graph& g) {
  avfilter_graph_free(&g.graph);
  g.src = g.sink = nullptr;
}

Status ContentAnalyzer::BuildVideoGraph(const Frame& first) {
  Free(video_);
  const AVFrame* f = first.av();
  video_w_ = f->width;
  video_h_ = f->height;
  video_fmt_ = f->format;
  const std::string args = "video_size=" + std::to_string(f->width) + "x" +
                           std::to_string(f->height) + ":pix_fmt=" + std::to_string(f->format) +
                           ":time_base=1/1000000:pixel_aspect=1/1";
  char chain[256];
  std::snprintf(chain, sizeof chain,
                "scale=160:90:flags=fast_bilinear,format=yuv420p,blackdetect=d=%g:pix_th=0.10,"
                "freezedetect=n=-60dB:d=%g",
                params_.black_min_seconds, params_.freeze_min_seconds);
  return BuildGraph(&video_.graph, &video_.src, &video_.sink, "buffer", args, "buffersink", chain);
}

Status ContentAnalyzer::BuildAudioGraph() {
  AVChannelLayout layout;
  av_channel_layout_default(&layout, params_.channels);
  char layout_name[64];
  av_channel_layout_describe(&layout, layout_name, sizeof layout_name);
  const std::string args = "sample_rate=" + std::to_string(params_.sample_rate) +
                           ":sample_fmt=fltp:channel_layout=" + layout_name +
                           ":time_base=1/1000000";
  char chain[128];
  std::snprintf(chain, sizeof chain, "silencedetect=n=%gdB:d=%g", params_.silence_db,
                params_.silence_min_seconds);
  return BuildGraph(&audio_.graph, &audio_.src, &audio_.sink, "abuffer", args, "abuffersink",
                    chain);
}

Status ContentAnalyzer::AddPicture(const Frame& picture, int64_t media_us) {
  if (picture.empty()) return InvalidArgument("no picture");
  const AVFrame* f = picture.av();
  if (!have_origin_) {
    have_origin_ = true;
    origin_us_ = media_us;
  }
  if (!video_.graph || f->width != video_w_ || f->height != video_h_ || f->format != video_fmt_) {
    // A new graph knows nothing of what the old one had open: end those intervals here;
    // the new detectors reopen them if the picture is still black or frozen.
    Close("black", media_us);
    Close("frozen", media_us);
    ONAIR_RETURN_IF_ERROR(BuildVideoGraph(picture));
  }
  Frame own(picture);
  own.set_pts(media_us - origin_us_);
  const int err = av_buffersrc_add_frame_flags(video_.src, own.av(), AV_BUFFERSRC_FLAG_KEEP_REF);
  if (err < 0) return Internal("video analysis: " + AvErrorText(err));
  return Pump(video_);
}

Status ContentAnalyzer::AddAudio(const Frame& samples, int64_t media_us) {
  if (samples.empty()) return InvalidArgument("no samples");
  if (!have_origin_) {
    have_origin_ = true;
    origin_us_ = media_us;
  }
  if (!audio_.graph) ONAIR_RETURN_IF_ERROR(BuildAudioGraph());
  Frame own(samples);
  own.set_pts(media_us - origin_us_);
  const int err = av_buffersrc_add_frame_flags(audio_.src, own.av(), AV_BUFFERSRC_FLAG_KEEP_REF);
  if (err < 0) return Internal("audio analysis: " + AvErrorText(err));
  return Pump(audio_);
}

Status ContentAnalyzer::Pump(Graph& g) {
  AVFrame* out = av_frame_alloc();
  while (av_buffersink_get_frame(g.sink, out) >= 0) {
    const AVDictionaryEntry* e = nullptr;
    while ((e = av_dict_get(out->metadata, "", e, AV_DICT_IGNORE_SUFFIX))) {
      OnMetadata(e->key, e->value);
    }
    av_frame_unref(out);
  }
  av_frame_free(&out);
  return Status::Ok();
}

void ContentAnalyzer::OnMetadata(const std::string& key, const std::string& value) {
  const int64_t t = origin_us_ + static_cast<int64_t>(std::llround(std::atof(value.c_str()) * 1e6));
  if (key == "lavfi.black_start") Open("black", t);
  if (key == "lavfi.black_end") Close("black", t);
  if (key == "lavfi.freezedetect.freeze_start") Open("frozen", t);
  if (key == "lavfi.freezedetect.freeze_end") Close("frozen", t);
  if (key == "lavfi.silence_start") Open("silent", t);
  if (key == "lavfi.silence_end") Close("silent", t);
}

void ContentAnalyzer::Open(const std::string& kind, int64_t start_us) {
  for (const ContentInterval& i : intervals_) {
    if (i.kind == kind && i.end_us == std::numeric_limits<int64_t>::max()) return;
  }
  intervals_.push_back({kind, start_us});
}

void ContentAnalyzer::Close(const std::string& kind, int64_t end_us) {
  for (ContentInterval& i : intervals_) {
    if (i.kind == kind && i.end_us == std::numeric_limits<int64_t>::max()) i.end_us = end_us;
  }
}

std::vector<ContentInterval> ContentAnalyzer::Overlapping(int64_t start_us, int64_t end_us) const {
  std::vector<ContentInterval> out;
  for (const ContentInterval& i : intervals_) {
    if (i.start_us < end_us && i.end_us > start_us) out.push_back(i);
  }
  return out;
}

void ContentAnalyzer::Prune(int64_t media_us) {
  std::erase_if(intervals_, [&](const ContentInterval& i) { return i.end_us < media_us; });
}

}  // namespace onair::media
