#include "pipeline/pipeline.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "core/epoch.h"
#include "core/log.h"
#include "media/audio_aligner.h"
#include "media/cmaf_writer.h"
#include "media/encoder.h"
#include "media/feed_source.h"
#include "media/manifest.h"
#include "pipeline/blocking_queue.h"
#include "pipeline/inspector.h"
#include "pipeline/track_packager.h"
#include "pipeline/track_worker.h"

namespace onair::pipeline {

namespace {

constexpr int kAudioFrame = 1024;  // AAC samples per frame

struct SourceItem {
  media::Frame frame;
  bool is_video = true;
  int64_t media_us = 0;
};

struct AnalysisItem {
  media::Frame frame;
  bool is_video = true;
  int64_t media_us = 0;
  int64_t duration_us = 0;
  bool eos = false;
};

std::chrono::steady_clock::time_point SteadyIn(int64_t micros) {
  return std::chrono::steady_clock::now() + std::chrono::microseconds(std::max<int64_t>(0, micros));
}

}  // namespace

bool IsTestSource(const std::string& spec) { return spec == "test" || spec.rfind("test:", 0) == 0; }

StatusOr<media::TestPatternFormat> ParseTestSource(const std::string& spec, Rational default_fps) {
  media::TestPatternFormat f;
  f.fps = default_fps;
  if (spec == "test") return f;
  if (spec.rfind("test:", 0) != 0) return InvalidArgument("not a test source: '" + spec + "'");
  const std::string rest = spec.substr(5);
  int w = 0, h = 0, consumed = 0;
  if (std::sscanf(rest.c_str(), "%dx%d%n", &w, &h, &consumed) != 2) {
    return InvalidArgument("test source must look like test:1280x720@30, not '" + spec + "'");
  }
  if (w < 16 || h < 16 || w > 7680 || h > 4320 || w % 2 || h % 2) {
    return InvalidArgument("test source size must be even, 16x16..7680x4320");
  }
  f.width = w;
  f.height = h;
  const std::string tail = rest.substr(static_cast<size_t>(consumed));
  if (!tail.empty()) {
    if (tail[0] != '@') return InvalidArgument("test source: expected @rate after the size");
    auto fps = ParseFrameRate(tail.substr(1));
    if (!fps.ok()) return fps.status();
    f.fps = *fps;
  }
  return f;
}

Pipeline::Pipeline(PipelineConfig config, std::vector<SegmentSink*> sinks, Clock* clock)
    : config_(std::move(config)), sinks_(std::move(sinks)), clock_(clock) {}

Pipeline::~Pipeline() = default;

Status Pipeline::Validate() const {
  ONAIR_RETURN_IF_ERROR(ValidateEventConfig(config_.event));
  if (config_.pipeline_id != "A" && config_.pipeline_id != "B") {
    return InvalidArgument("pipeline identity must be A or B");
  }
  if (IsTestSource(config_.source)) {
    auto f = ParseTestSource(config_.source, config_.event.frame_rate);
    if (!f.ok()) return f.status();
  } else if (config_.source.empty()) {
    return InvalidArgument("no source given");
  }
  if (config_.duration_us < 0) return InvalidArgument("duration must not be negative");
  return Status::Ok();
}

Status Pipeline::Run(const std::atomic<bool>& stop) {
  ONAIR_RETURN_IF_ERROR(Validate());
  auto log = Logger("pipeline");
  const EventConfig& ev = config_.event;
  const EpochTimeline timeline = ev.timeline();
  const FrameGrid vgrid = FrameGrid::ForFrameRate(ev.frame_rate);
  const FrameGrid agrid({kAudioFrame, ev.audio.sample_rate});
  const int64_t ts = ChooseVideoTimescale(ev.frame_rate, ev.segment_us);
  const int64_t frames_per_segment =
      vgrid.FirstIndexOfSegment(1, ev.segment_us) - vgrid.FirstIndexOfSegment(0, ev.segment_us) + 1;

  // Encoders first: opening them takes time and must not eat into the first segment.
  std::vector<std::unique_ptr<TrackWorker>> rungs;
  for (size_t r = 0; r < ev.ladder.size(); ++r) {
    const RenditionConfig& rc = ev.ladder[r];
    auto enc = media::Encoder::CreateVideo(
        rc, ev.frame_rate, ts, static_cast<int>(2 * frames_per_segment), config_.encoder_threads);
    if (!enc.ok()) return enc.status();
    rungs.push_back(std::make_unique<TrackWorker>(rc.name, std::move(*enc), vgrid, ev.segment_us,
                                                  std::make_pair(rc.width, rc.height)));
  }
  auto aenc = media::Encoder::CreateAudio(ev.audio);
  if (!aenc.ok()) return aenc.status();
  TrackWorker audio(ev.audio.name, std::move(*aenc), agrid, ev.segment_us, std::nullopt);

  const int64_t start_n = timeline.SegmentNumberAt(clock_->Now()) + 1;
  const int64_t end_n = config_.duration_us > 0
                            ? start_n + (config_.duration_us + ev.segment_us - 1) / ev.segment_us
                            : INT64_MAX;
  stats_.first_segment = start_n;

  media::ContentAnalyzerParams ap;
  ap.sample_rate = ev.audio.sample_rate;
  ap.channels = ev.audio.channels;
  Inspector inspector(ap);

  for (size_t r = 0; r < ev.ladder.size(); ++r) {
    const RenditionConfig& rc = ev.ladder[r];
    const media::TrackInfo info = media::TrackOf(ev, &rc, "");
    auto writer = media::CmafWriter::Create(*rungs[r]->encoder(), ev.ast);
    if (!writer.ok()) return writer.status();
    rungs[r]->SetPackager(std::make_unique<TrackPackager>(
        info, std::move(*writer), vgrid, ev, start_n, end_n, sinks_, &inspector, clock_));
    if (rc.scale_from_above) rungs[r - 1]->SetChild(rungs[r].get());
  }
  {
    const media::TrackInfo info = media::TrackOf(ev, nullptr, "");
    auto writer = media::CmafWriter::Create(*audio.encoder(), ev.ast);
    if (!writer.ok()) return writer.status();
    audio.SetPackager(std::make_unique<TrackPackager>(info, std::move(*writer), agrid, ev, start_n,
                                                      end_n, sinks_, &inspector, clock_));
  }

  // The source, on its own thread, stamps every frame with its media time.
  BlockingQueue<SourceItem> input(512);
  std::atomic<bool> source_stop{false};
  std::thread source_thread;
  if (IsTestSource(config_.source)) {
    auto fmt = ParseTestSource(config_.source, ev.frame_rate);
    if (!fmt.ok()) return fmt.status();
    fmt->sample_rate = ev.audio.sample_rate;
    fmt->channels = ev.audio.channels;
    source_thread = std::thread([&, format = *fmt] {
      media::TestPattern pattern(format);
      const FrameGrid g = FrameGrid::ForFrameRate(format.fps);
      // A synthetic source has every frame from the first segment on, even when starting
      // the encoders took us past that segment's start.
      const int64_t first = start_n * ev.segment_us;
      int64_t vi = g.IndexAtOrAfter(first), ai = agrid.IndexAtOrAfter(first);
      while (!source_stop) {
        const int64_t tv = g.MediaMicros(vi), ta_end = agrid.MediaMicros(ai + 1);
        if (tv <= ta_end) {
          clock_->SleepUntil(ev.ast + tv);
          input.PushDropOldest({pattern.Picture(vi, ev.ast + tv), true, tv});
          ++vi;
        } else {
          clock_->SleepUntil(ev.ast + ta_end);
          input.PushDropOldest(
              {pattern.Tone(ai * kAudioFrame, kAudioFrame), false, agrid.MediaMicros(ai)});
          ++ai;
        }
      }
    });
  } else {
    source_thread = std::thread([&] {
      media::FeedOptions opts;
      opts.url = config_.source;
      opts.loop = config_.loop_files;
      opts.sample_rate = ev.audio.sample_rate;
      opts.channels = ev.audio.channels;
      auto flog = Logger("feed");
      int64_t failures = 0;
      while (!source_stop) {
        auto feed = media::FeedSource::Open(opts, &source_stop, clock_);
        if (!feed.ok()) {
          if (source_stop) break;
          if (failures++ % 10 == 0)
            flog->warn("{} (retrying every second)", feed.status().ToString());
          for (int k = 0; k < 10 && !source_stop; ++k) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
          continue;
        }
        failures = 0;
        stats_.feed_connects++;
        flog->info("feed connected: {}", (*feed)->Describe());
        bool anchored = false;
        UtcMicros anchor_wall = 0;
        int64_t anchor_pts = 0;
        while (!source_stop) {
          auto f = (*feed)->Next();
          if (!f.ok()) {
            if (f.status().code() != StatusCode::kCancelled) {
              flog->warn("feed lost: {}", f.status().ToString());
            }
            break;
          }
          const UtcMicros now = clock_->Now();
          // Capture time: the ingest clock at the first frame, then the feed's own clock,
          // re-anchored when the two drift apart by more than a second (a jump or a skew).
          if (!anchored || (f->is_video && std::llabs((f->pts_us - anchor_pts) -
                                                      (now - anchor_wall)) > 1'000'000)) {
            if (anchored) flog->info("feed timestamps jumped; re-anchoring to the ingest clock");
            anchored = true;
            anchor_wall = now;
            anchor_pts = f->pts_us;
          }
          const int64_t media = anchor_wall + (f->pts_us - anchor_pts) - ev.ast;
          if (input.PushDropOldest({std::move(f->frame), f->is_video, media}))
            stats_.dropped_input++;
        }
        if ((*feed)->corrupt_packets() > 0) {
          flog->warn("feed had {} corrupt packets", (*feed)->corrupt_packets());
        }
      }
    });
  }

  // Analysis runs beside the encoders and never holds them up (it drops when behind).
  BlockingQueue<AnalysisItem> analysis(1024);
  std::thread analysis_thread([&] {
    while (auto item = analysis.Pop()) {
      if (item->eos) break;
      if (item->is_video) {
        inspector.AddPicture(item->frame, item->media_us, item->duration_us);
      } else {
        inspector.AddAudio(item->frame, item->media_us, item->duration_us);
      }
    }
    inspector.Close();
  });

  for (auto& r : rungs) r->Start();
  audio.Start();
  log->info("pipeline {} for event '{}': first segment {} at {}, {} renditions + audio",
            config_.pipeline_id, ev.event, start_n,
            FormatUtc(timeline.SegmentStartUtc(start_n), true), rungs.size());

  // The timeline: one picture per grid slot and one audio frame per audio slot, on
  // schedule whatever the source does.
  const int64_t i_end =
      end_n == INT64_MAX ? INT64_MAX : vgrid.FirstIndexOfSegment(end_n, ev.segment_us);
  const int64_t a_end =
      end_n == INT64_MAX ? INT64_MAX : agrid.FirstIndexOfSegment(end_n, ev.segment_us);
  int64_t i = vgrid.FirstIndexOfSegment(start_n, ev.segment_us);
  const int64_t first_slot = i;
  int64_t a = agrid.FirstIndexOfSegment(start_n, ev.segment_us);
  media::AudioAligner aligner(ev.audio.sample_rate, ev.audio.channels);
  aligner.Reset(a * kAudioFrame);
  media::Frame latest;
  int64_t latest_media = INT64_MIN;
  bool latest_shown = false;
  std::optional<SourceItem> pending;
  bool audio_seen = false, in_loss = false;
  const media::Frame black = media::BlackPicture(ev.ladder[0].width, ev.ladder[0].height);
  const int64_t frame_us = vgrid.MediaMicros(1) - vgrid.MediaMicros(0);
  const int64_t audio_block_us = agrid.MediaMicros(1) - agrid.MediaMicros(0);

  auto emit_audio = [&] {
    while (a < a_end) {
      const bool have = aligner.buffered() >= kAudioFrame;
      if (!have && clock_->Now() < ev.ast + agrid.MediaMicros(a + 1) + config_.input_timeout_us) {
        break;  // not late yet: wait for the source
      }
      Slot slot{aligner.Pop(kAudioFrame), a, !have && audio_seen};
      analysis.PushDropOldest({slot.frame, false, agrid.MediaMicros(a), audio_block_us});
      audio.queue().Push(std::move(slot));
      ++a;
    }
  };
  auto take = [&](SourceItem&& item) {
    if (!item.is_video) {
      audio_seen = true;
      aligner.Push(item.frame, item.media_us);
      return false;
    }
    const int64_t k = vgrid.NearestIndex(item.media_us);
    if (k > i) {
      pending = std::move(item);
      return true;  // the source is ahead of this slot: repeat the latest picture
    }
    if (!latest.empty() && !latest_shown && i > first_slot) stats_.skipped_frames++;
    latest = std::move(item.frame);
    latest_media = item.media_us;
    latest_shown = false;
    return k == i;
  };

  while (i < i_end && !stop) {
    const int64_t t_i = vgrid.MediaMicros(i);
    const UtcMicros deadline = ev.ast + t_i + config_.input_timeout_us;
    bool settled = false;
    if (pending) {
      SourceItem p = std::move(*pending);
      pending.reset();
      settled = take(std::move(p));
    }
    while (!settled && !stop) {
      const UtcMicros now = clock_->Now();
      if (now >= deadline) break;
      auto item = input.PopUntil(SteadyIn(std::min<int64_t>(deadline - now, 100'000)));
      if (item) settled = take(std::move(*item));
      emit_audio();
    }
    const bool no_input = latest.empty() || t_i - latest_media > config_.input_timeout_us;
    media::Frame picture = latest;
    if (!no_input && latest_shown) stats_.repeated_frames++;
    latest_shown = true;
    if (no_input) {
      stats_.slate_frames++;
      if (latest.empty() || t_i - latest_media > config_.freeze_slate_us) picture = black;
    }
    if (no_input != in_loss) {
      in_loss = no_input;
      if (no_input) {
        log->warn("no input for segment {}: sending the slate", vgrid.SegmentOf(i, ev.segment_us));
      } else {
        log->info("input is back at segment {}", vgrid.SegmentOf(i, ev.segment_us));
      }
    }
    analysis.PushDropOldest({picture, true, t_i, frame_us});
    for (size_t r = 0; r < rungs.size(); ++r) {
      if (!ev.ladder[r].scale_from_above) rungs[r]->queue().Push(Slot{picture, i, no_input});
    }
    emit_audio();
    ++i;
  }
  // Audio up to the same boundary.
  while (a < a_end && !stop) {
    auto item = input.PopUntil(SteadyIn(20'000));
    if (item && !item->is_video) take(std::move(*item));
    emit_audio();
  }

  source_stop = true;
  input.Close();
  for (size_t r = 0; r < rungs.size(); ++r) {
    if (!ev.ladder[r].scale_from_above) rungs[r]->queue().Push(Slot{.eos = true});
  }
  audio.queue().Push(Slot{.eos = true});
  for (auto& r : rungs) r->Join();
  audio.Join();
  analysis.Push(AnalysisItem{.eos = true});
  analysis_thread.join();
  source_thread.join();
  for (SegmentSink* s : sinks_) s->OnFinish();

  for (auto& r : rungs) {
    stats_.segments += r->packager()->counters().segments;
    stats_.defective_segments += r->packager()->counters().defective_segments;
  }
  stats_.segments += audio.packager()->counters().segments;
  stats_.defective_segments += audio.packager()->counters().defective_segments;
  int64_t max_delay = audio.packager()->counters().max_delay_us;
  for (auto& r : rungs)
    max_delay = std::max<int64_t>(max_delay, r->packager()->counters().max_delay_us);
  log->info(
      "pipeline {} stopped: {} segments ({} with defects), {} slate frames, {} input frames "
      "dropped, {} frames repeated and {} skipped for timing, segments whole at most {} ms "
      "after their end",
      config_.pipeline_id, stats_.segments.load(), stats_.defective_segments.load(),
      stats_.slate_frames.load(), stats_.dropped_input.load(), stats_.repeated_frames.load(),
      stats_.skipped_frames.load(), max_delay / 1000);
  return Status::Ok();
}

}  // namespace onair::pipeline
